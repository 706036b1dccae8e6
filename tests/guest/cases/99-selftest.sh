# desc: harness self-test fault injection
# profiles: selftest
. /tests/lib.sh
case "$ISOL_SELFTEST" in
warn) insmod /lib/modules/$(uname -r)/extra/isol_fault.ko action=warn ;;
hang) insmod /lib/modules/$(uname -r)/extra/isol_fault.ko action=hang ;;
# Debug kernel only: a module's leak must fail the leak check, an
# out-of-bounds read must give a KASAN report.
leak)
	insmod /lib/modules/$(uname -r)/extra/isol_fault.ko action=leak
	sh /tests/cases/98-leaks.sh
	;;
kasan) insmod /lib/modules/$(uname -r)/extra/isol_fault.ko action=kasan ;;
fail) fail "deliberately failing case" ;;
esac
exit 0
