# SPDX-License-Identifier: GPL-2.0
# Harness self-test: a case script that exits non-zero is one failure.
exit 3
