# SPDX-License-Identifier: GPL-2.0
# Harness self-test: a hang must end the boot as "timeout".
ktap_ok "before the hang"
sleep 3600
