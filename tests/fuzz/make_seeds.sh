#!/bin/sh
# make_seeds.sh — (re)build the seed corpus tests/fuzz/corpus/csv/ for fuzz_csv.
#
# A seed is one option byte (see tests/fuzz/csv_check.h) followed by CSV text:
# the csv-spectrum files, the heads of the bundled data sets, and hand-made
# malformed cases. Run from the repository root.
set -e
out=tests/fuzz/corpus/csv
spectrum=${SPECTRUM:-tests/conformance/csv-spectrum/csvs}
[ -d "$spectrum" ] || spectrum=/work/shared/conformance/csv-spectrum/csvs
mkdir -p "$out"
seed() { # seed NAME OPTBYTE(octal) then text on stdin
    { printf "\\$2"; cat; } >"$out/$1"
}
for f in "$spectrum"/*.csv; do
    b=$(basename "$f" .csv)
    seed "spectrum_$b" 000 <"$f"
    seed "spectrum_${b}_large" 100 <"$f"      # 0x40: repeated past 2 MiB, 1 vs 2 threads
done
for f in data/*.csv; do
    b=$(basename "$f" .csv)
    head -n 12 "$f" | seed "data_$b" 000
    head -n 4 "$f" | seed "data_${b}_large" 100
    head -n 6 "$f" | seed "data_${b}_noheader_semicolon" 005   # header off, sep ';'
done
# hand-made: malformed and corner cases
m() { printf "$2" | seed "hand_$1" "${3:-000}"; }
m unterminated_quote 'a,b\n1,"abc\n2,3\n'
m quote_then_text 'a,b\n"x"y,2\n'
m too_many_fields 'a,b\n1,2,3\n'
m too_few_fields 'a,b,c\n1,2\n'
m bare_quote_inside 'a,b\nx"y,2\n'
m nul_byte 'a,b\n1,\0002\n'
m bad_utf8 'a,b\n\377\376,2\n'
m bad_utf8_header '\377,b\n1,2\n'
m bom_header '\357\273\277a,b\n1,2\n'
m crlf_mixed 'a,b\r\n1,2\n3,4\r5,6\r\n'
m blank_lines '\n\na,b\n\n1,2\n\n\n3,4\n'
m empty ''
m header_only 'a,b,c\n'
m one_column_na 'a\n1\n\nNA\n2\n'
m dup_names 'a,a,,V3,a.1\n1,2,3,4,5\n'
m int_overflow 'a,b\n9223372036854775807,-9223372036854775808\n9223372036854775808,1\n'
m numbers 'a,b,c\n1.0,1e5,-0\n.5,5.,1E-400\ninf,-Infinity,nan\n0x10,1e,+3\n'
m bools 'a,b\ntrue,TRUE\nFalse,false\ntrue,1\n'
m quoted_empty 'a,b\n"",1\n,2\n"x",3\n'
m na_tokens 'a,b\nNA,"NA"\n-,null\n' 200
m forced_int_bad 'a,b\n1,2\n1.5,3\n' 020
m forced_bool 'a,b\ntrue,1\nx,2\n' 030
m forced_bad_position 'a,b\n1,2\n' 070
m tabs 'a\tb\n1\t"x\ty"\n' 002
m pipes 'a|b\n1|2\n' 003
m long_digits 'a\n0.1234567890123456789012345\n123456789012345678901234567890\n'
m spaces 'a,b\n 1 , "x" \n2,y \n'
m quoted_newline_name '"a\nb",c\n1,2\n'
m promote_late 'a,b\n1,2\n2,3\nx,4\n'
m promote_late_large 'a,b\n1,2\n2,"3""\n"\nx,4\n' 100
m odd_quotes_large 'a,b\n1,"x\n' 100
m nan_then_text 'a\nnan\nabc\n'
echo "seeds: $(ls "$out" | wc -l) files in $out"
