#!/bin/sh
# Typing or pasting in one burst keeps everything the locale can read:
#  1. LANG=C (a jump host without a UTF-8 locale, a UTF-8 terminal): "é"
#     and "ü" are no characters there; they are dropped, said once on the
#     bottom line, and what follows them, ASCII and all, is kept: in a
#     note (and so in the database) and in the Find field.
#  2. C.UTF-8 with a terminal sending a Latin-1 "é" (one byte, not UTF-8):
#     that byte is dropped and said, the rest of the burst kept, and UTF-8
#     typed afterwards still reads.
. "$BATON_ROOT/tests/lib/e2e.sh"

db=$(newdb baton_demo) || { echo "FAIL console_input_locale: cannot create a test database"; exit 1; }
trap stop EXIT
state="$BATON_TEST_TMP/console_input_locale"
mkdir -p "$state"

# --- 1. LANG=C -----------------------------------------------------------------------
E2E_LANG=C start input_c 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
type_text "nwh"
wait_for "nwh.example" 10
keys Enter
wait_for "Success notes" 10
keys n
wait_for "typing goes to the note" 5
type_text "Kestrel x é y ü z end"
check "LANG=C: a burst with é and ü in a note keeps all that follows them: 'Kestrel x  y  z end'" \
	wait_for "Kestrel x  y  z end" 5
check "LANG=C: said once: '4 typed bytes dropped: not text in locale \"C\"; set a UTF-8 LANG to type them'" \
	wait_row 24 '4 typed bytes dropped: not text in locale "C"; set a UTF-8 LANG to type them' 5
keys C-x
check "LANG=C: the note is written as it was shown" \
	wait_true 10 '[ "$(sql "SELECT count(*) FROM success_note WHERE body = '"'Kestrel x  y  z end'"'")" = 1 ]'
wait_gone "typing goes to the note" 5
keys q
wait_for "Find:" 5
keys C-u
type_text "xé paulo"
check "LANG=C: the Find field keeps what follows the é: 'x paulo'" wait_row 2 "Find: x paulo" 5
check "LANG=C: said again for this burst: 2 bytes" wait_row 24 "2 typed bytes dropped" 5
keys C-c
check "LANG=C: Ctrl-C quits with exit status 0" exit_status_is 0 10
check "LANG=C: no sanitizer report" no_sanitizer_report
stop

# --- 2. a UTF-8 locale, a byte that is not UTF-8 ------------------------------------------
start input_u8 80 24 env XDG_STATE_HOME="$state" "$BATON_BIN" -d "'dbname=$db user=ana'"
wait_state live 15
# "lo", a Latin-1 é (0xE9), " paulo": one burst
tm send-keys -t "$E2E_SESSION" -H 6c 6f e9 20 70 61 75 6c 6f
check "UTF-8: the byte that is not UTF-8 is dropped, the rest kept: 'lo paulo'" wait_row 2 "Find: lo paulo" 5
check "UTF-8: said: '1 typed byte dropped: not UTF-8; is the terminal set to UTF-8?'" \
	wait_row 24 "1 typed byte dropped: not UTF-8; is the terminal set to UTF-8?" 5
keys C-u
type_text "são paulo"
check "UTF-8: typed UTF-8 still reads, and finds São Paulo Saúde" \
	eval 'wait_row 2 "Find: são paulo" 5 && wait_row 3 "São Paulo Saúde" 10'
keys C-c
check "UTF-8: Ctrl-C quits with exit status 0" exit_status_is 0 10
check "UTF-8: no sanitizer report" no_sanitizer_report
stop
