# desc: harness self-test fault injection
# profiles: selftest
. /tests/lib.sh
case "$ISOL_SELFTEST" in
warn) insmod /lib/modules/$(uname -r)/extra/isol_fault.ko action=warn ;;
hang) insmod /lib/modules/$(uname -r)/extra/isol_fault.ko action=hang ;;
fail) fail "deliberately failing case" ;;
esac
exit 0
