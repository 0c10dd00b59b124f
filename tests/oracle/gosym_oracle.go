// gosym_oracle: the reference answers for bpflame's Go symbolizer tests.
//
// It reads a Go binary with Go's own pclntab reader, debug/gosym, built with
// the newest installed toolchain (which reads every pclntab format from Go
// 1.2 on). It differs from `go tool addr2line` in one respect only: it gives
// debug/gosym the true runtime.text. For 1.18+ tables debug/gosym computes
// every function entry as runtime.text + entryoff, and uses whatever address
// its caller passes; addr2line passes the .text section address when the
// binary has no symbol table, which is 0x100 too low for externally linked
// binaries (the external linker places crt code before runtime.text).
//
// Where runtime.text comes from, first that applies:
//  1. the runtime.text symbol of .symtab (unstripped binaries);
//  2. the 1.18+ header's textStart word, read through the R_*_RELATIVE
//     dynamic relocation at that word when there is one (PIE binaries may
//     hold 0 on disk there and the value in the relocation's addend);
//  3. moduledata.text (word 22 of moduledata, 1.18+): moduledata is found
//     as the word-aligned pointer to the pclntab whose next slice pointer is
//     the funcnametab, again reading words through relocations;
//  4. for the 1.2-1.17 formats runtime.text is not needed at all: their
//     functab holds absolute entry addresses, which debug/gosym uses as is
//     (it reads textStart only for 1.18+ tables). The .text address is
//     passed, as addr2line does.
//
// Usage:
//
//	gosym_oracle -e FILE [ADDR...]     go tool addr2line's output format:
//	                                   per address the function name, then
//	                                   file:line; "?" and "?:0" if unknown.
//	                                   No ADDR: one address per stdin line.
//	gosym_oracle -e FILE -funcs        one line per functab entry:
//	                                   "0xENTRY 0xEND NAME"
//	gosym_oracle -e FILE -random N [-seed S]
//	                                   N addresses drawn uniformly from the
//	                                   .text section (fixed seed), hex
//	gosym_oracle -e FILE -describe     format, pclntab address, runtime.text
//	                                   and where it came from
package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"debug/gosym"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
)

type binaryFile struct {
	f        *elf.File
	order    binary.ByteOrder
	ptrSize  int
	relative map[uint64]uint64 // R_*_RELATIVE: target address -> addend
	pclnAddr uint64
	pcln     []byte
	pclnHow  string
	text     uint64 // runtime.text given to debug/gosym
	textHow  string
	magic    uint32
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gosym_oracle: "+format+"\n", args...)
	os.Exit(1)
}

// readAt returns n bytes at virtual address addr from a PT_LOAD segment's
// file image, or nil.
func (b *binaryFile) readAt(addr uint64, n int) []byte {
	for _, p := range b.f.Progs {
		if p.Type != elf.PT_LOAD || addr < p.Vaddr || addr+uint64(n) > p.Vaddr+p.Filesz {
			continue
		}
		buf := make([]byte, n)
		if _, err := p.ReadAt(buf, int64(addr-p.Vaddr)); err != nil {
			return nil
		}
		return buf
	}
	return nil
}

// word reads a pointer-sized word at addr as the loaded program would see
// it before the load bias: a RELATIVE relocation's addend wins over the
// bytes on disk.
func (b *binaryFile) word(addr uint64) (uint64, bool) {
	if v, ok := b.relative[addr]; ok {
		return v, true
	}
	buf := b.readAt(addr, b.ptrSize)
	if buf == nil {
		return 0, false
	}
	if b.ptrSize == 4 {
		return uint64(b.order.Uint32(buf)), true
	}
	return b.order.Uint64(buf), true
}

func (b *binaryFile) loadRelative() {
	b.relative = map[uint64]uint64{}
	for _, s := range b.f.Sections {
		if s.Type != elf.SHT_RELA {
			continue
		}
		data, err := s.Data()
		if err != nil {
			continue
		}
		if b.f.Class == elf.ELFCLASS64 {
			for i := 0; i+24 <= len(data); i += 24 {
				off := b.order.Uint64(data[i:])
				info := b.order.Uint64(data[i+8:])
				add := b.order.Uint64(data[i+16:])
				t := uint32(info)
				if (b.f.Machine == elf.EM_X86_64 && t == uint32(elf.R_X86_64_RELATIVE)) ||
					(b.f.Machine == elf.EM_AARCH64 &&
						t == uint32(elf.R_AARCH64_RELATIVE)) {
					b.relative[off] = add
				}
			}
		}
	}
}

func (b *binaryFile) symbol(name string) (uint64, bool) {
	syms, err := b.f.Symbols()
	if err != nil {
		return 0, false
	}
	for _, s := range syms {
		if s.Name == name {
			return s.Value, true
		}
	}
	return 0, false
}

var magics = []uint32{0xFFFFFFFB, 0xFFFFFFFA, 0xFFFFFFF0, 0xFFFFFFF1}

func isMagic(m uint32) bool {
	for _, x := range magics {
		if m == x {
			return true
		}
	}
	return false
}

// findPclntab: by section, then by symbol, then by scanning non-executable
// PT_LOAD segments for a header whose nfunc and offsets are plausible.
func (b *binaryFile) findPclntab() error {
	for _, name := range []string{".gopclntab", ".data.rel.ro.gopclntab"} {
		if s := b.f.Section(name); s != nil {
			data, err := s.Data()
			if err != nil {
				return err
			}
			b.pcln, b.pclnAddr, b.pclnHow = data, s.Addr, "section "+name
			return nil
		}
	}
	if start, ok := b.symbol("runtime.pclntab"); ok {
		if end, ok := b.symbol("runtime.epclntab"); ok && end > start {
			if data := b.readAt(start, int(end-start)); data != nil {
				b.pcln, b.pclnAddr, b.pclnHow = data, start, "symbol runtime.pclntab"
				return nil
			}
		}
	}
	for _, p := range b.f.Progs {
		if p.Type != elf.PT_LOAD || p.Flags&elf.PF_X != 0 {
			continue
		}
		data := make([]byte, p.Filesz)
		if _, err := p.ReadAt(data, 0); err != nil {
			continue
		}
		for i := 0; i+64 <= len(data); i += 4 {
			m := b.order.Uint32(data[i:])
			if !isMagic(m) || data[i+4] != 0 || data[i+5] != 0 ||
				int(data[i+7]) != b.ptrSize {
				continue
			}
			if m == 0xFFFFFFFB {
				continue // too weak to validate by scanning; never needed here
			}
			n := 7
			if m != 0xFFFFFFFA {
				n = 8
			}
			ok := true
			prev := uint64(0)
			for w := 2; w < n; w++ {
				if w == 2 && n == 8 {
					continue // textStart
				}
				off := b.readWordBytes(data[i+8+w*b.ptrSize:])
				if off <= prev || off >= uint64(len(data)-i) {
					ok = false
					break
				}
				prev = off
			}
			if ok {
				b.pcln, b.pclnAddr = data[i:], p.Vaddr+uint64(i)
				b.pclnHow = "scan of segment"
				return nil
			}
		}
	}
	return errors.New("no pclntab found")
}

func (b *binaryFile) readWordBytes(p []byte) uint64 {
	if b.ptrSize == 4 {
		return uint64(b.order.Uint32(p))
	}
	return b.order.Uint64(p)
}

// findModuledataText returns moduledata.text for 1.18+ tables.
func (b *binaryFile) findModuledataText() (uint64, bool) {
	w := uint64(b.ptrSize)
	funcnametab := b.pclnAddr + b.readWordBytes(b.pcln[8+3*b.ptrSize:])
	cands := map[uint64]bool{}
	for at, v := range b.relative {
		if v == b.pclnAddr {
			cands[at] = true
		}
	}
	for _, p := range b.f.Progs {
		if p.Type != elf.PT_LOAD || p.Flags&elf.PF_W == 0 {
			continue
		}
		data := make([]byte, p.Filesz)
		if _, err := p.ReadAt(data, 0); err != nil {
			continue
		}
		for i := 0; i+b.ptrSize <= len(data); i += b.ptrSize {
			if b.readWordBytes(data[i:]) == b.pclnAddr {
				cands[p.Vaddr+uint64(i)] = true
			}
		}
	}
	for at := range cands {
		if v, ok := b.word(at + w); !ok || v != funcnametab {
			continue
		}
		if text, ok := b.word(at + 22*w); ok && text != 0 {
			return text, true
		}
	}
	return 0, false
}

func open(path string) *binaryFile {
	f, err := elf.Open(path)
	if err != nil {
		fatalf("%v", err)
	}
	b := &binaryFile{f: f, order: f.ByteOrder, ptrSize: 8}
	if f.Class == elf.ELFCLASS32 {
		b.ptrSize = 4
	}
	b.loadRelative()
	if err := b.findPclntab(); err != nil {
		fatalf("%s: %v", path, err)
	}
	if len(b.pcln) < 16 {
		fatalf("%s: pclntab too short", path)
	}
	b.magic = b.order.Uint32(b.pcln)
	textSect := uint64(0)
	if s := f.Section(".text"); s != nil {
		textSect = s.Addr
	}
	if v, ok := b.symbol("runtime.text"); ok {
		b.text, b.textHow = v, "symbol runtime.text"
		return b
	}
	if b.magic == 0xFFFFFFF0 || b.magic == 0xFFFFFFF1 {
		if v, ok := b.word(b.pclnAddr + 8 + 2*uint64(b.ptrSize)); ok && v != 0 {
			b.text, b.textHow = v, "pclntab header textStart"
			return b
		}
		if v, ok := b.findModuledataText(); ok {
			b.text, b.textHow = v, "moduledata.text"
			return b
		}
		fatalf("%s: cannot determine runtime.text", path)
	}
	b.text, b.textHow = textSect, ".text address (unused: absolute functab)"
	return b
}

func (b *binaryFile) table() *gosym.Table {
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(b.pcln, b.text))
	if err != nil {
		fatalf("%v", err)
	}
	return tab
}

// printAddr mirrors cmd/addr2line's loop body.
func printAddr(w *bufio.Writer, tab *gosym.Table, p string) {
	pc, _ := strconv.ParseUint(strings.TrimPrefix(p, "0x"), 16, 64)
	file, line, fn := tab.PCToLine(pc)
	name := "?"
	if fn != nil {
		name = fn.Name
	} else {
		file = "?"
		line = 0
	}
	fmt.Fprintf(w, "%s\n%s:%d\n", name, file, line)
}

func main() {
	exe := flag.String("e", "", "Go binary")
	funcs := flag.Bool("funcs", false, "list functab entries")
	random := flag.Int("random", 0, "print N random .text addresses")
	seed := flag.Int64("seed", 1, "seed for -random")
	describe := flag.Bool("describe", false, "describe the table")
	flag.Parse()
	if *exe == "" {
		fmt.Fprintln(os.Stderr, "usage: gosym_oracle -e FILE [-funcs|-random N|-describe|ADDR...]")
		os.Exit(2)
	}
	b := open(*exe)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	switch {
	case *describe:
		fmt.Fprintf(w, "magic 0x%08x\nptrsize %d\npclntab 0x%x (%s)\n",
			b.magic, b.ptrSize, b.pclnAddr, b.pclnHow)
		fmt.Fprintf(w, "runtime.text 0x%x (%s)\n", b.text, b.textHow)
	case *funcs:
		for _, fn := range b.table().Funcs {
			fmt.Fprintf(w, "0x%x 0x%x %s\n", fn.Entry, fn.End, fn.Name)
		}
	case *random > 0:
		s := b.f.Section(".text")
		if s == nil {
			fatalf("no .text section")
		}
		r := rand.New(rand.NewSource(*seed))
		for i := 0; i < *random; i++ {
			fmt.Fprintf(w, "0x%x\n", s.Addr+uint64(r.Int63n(int64(s.Size))))
		}
	default:
		tab := b.table()
		if flag.NArg() > 0 {
			for _, a := range flag.Args() {
				printAddr(w, tab, a)
			}
			return
		}
		in := bufio.NewScanner(os.Stdin)
		in.Buffer(make([]byte, 1<<16), 1<<20)
		for in.Scan() {
			printAddr(w, tab, string(bytes.TrimSpace(in.Bytes())))
		}
	}
}
