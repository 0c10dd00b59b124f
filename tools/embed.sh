#!/bin/sh
# embed.sh FILE NAME: print a C header defining `static const char NAME[]`
# holding FILE's bytes, NUL-terminated. Used to build text assets (the flame
# graph's JavaScript) into the binary without a runtime file.
set -eu
file=$1
name=$2
printf '/* Generated from %s by tools/embed.sh; do not edit. */\n' "$file"
printf 'static const char %s[] = {\n' "$name"
od -An -v -tx1 "$file" | sed -e 's/  */ /g' -e 's/^ //' -e '/^$/d' \
	-e 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'
printf '0x00 };\n'
