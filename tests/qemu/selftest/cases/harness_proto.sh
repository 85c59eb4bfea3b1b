# SPDX-License-Identifier: GPL-2.0
# Harness self-test: every guest library call, including deliberate failures
# (tests/qemu/selftest.py knows which results must fail).

if ! out=$(kmd_insmod kminidump.ko 2>&1); then
	ktap_fail "insmod kminidump.ko" "$out"
	return 0
fi
ktap_ok "plain ok"
ktap_skip "a skip" "skipped on purpose"
check "check passes" true

if expect_errno EINVAL kwrite "$KMD_DBG/control" bogus-command; then
	ktap_ok "expect_errno EINVAL kwrite"
else
	ktap_fail "expect_errno EINVAL kwrite" "$KMD_ERR"
fi
if expect_errno EINVAL "echo bogus-command > $KMD_DBG/control"; then
	ktap_ok "expect_errno EINVAL shell echo"
else
	ktap_fail "expect_errno EINVAL shell echo" "$KMD_ERR"
fi
if expect_errno ENOENT kwrite /nonexistent/file x; then
	ktap_ok "expect_errno ENOENT"
else
	ktap_fail "expect_errno ENOENT" "$KMD_ERR"
fi
if expect_errno EPERM kwrite "$KMD_DBG/control" bogus-command; then
	ktap_fail "expect_errno sees a wrong errno" "EPERM matched an EINVAL failure"
else
	ktap_ok "expect_errno sees a wrong errno"
fi
if expect_errno EINVAL true; then
	ktap_fail "expect_errno sees success" "true matched EINVAL"
else
	ktap_ok "expect_errno sees success"
fi
if kwrite "$KMD_DBG/control" "del 424242" 2>/dev/null; then
	ktap_fail "kwrite returns non-zero on failure"
else
	ktap_ok "kwrite returns non-zero on failure"
fi

if hostcheck selftest_args a b c; then
	ktap_ok "hostcheck pass returns 0 ($KMD_HOST_MSG)"
else
	ktap_fail "hostcheck pass returns 0" "$KMD_HOST_MSG"
fi
if hostcheck selftest_fail; then
	ktap_fail "hostcheck failure returns 1"
else
	ktap_ok "hostcheck failure returns 1 ($KMD_HOST_MSG)"
fi
hostcheck kelf_consistent
ktap_fail "deliberate failure" "diag line 1" "diag line 2"
rmmod kminidump
