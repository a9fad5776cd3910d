// SPDX-License-Identifier: GPL-2.0

// Package sieve is the concurrent prime sieve of the Go tour: a chain of
// filter goroutines, one per prime found, each passing on the numbers
// its prime does not divide. Every goroutine ends: the generator stops
// at limit and closes its channel, and each filter closes its output
// when its input is closed. Init also runs Go's string operations.
package sieve

const (
	limit  = 2000
	primes = 303 // primes below 2000
)

func generate(ch chan<- int) {
	for i := 2; i < limit; i++ {
		ch <- i
	}
	close(ch)
}

func filter(in <-chan int, out chan<- int, prime int) {
	for i := range in {
		if i%prime != 0 {
			out <- i
		}
	}
	close(out)
}

var found []int

// One per filter goroutine, kept to try copy() on pointers.
type stage struct {
	prime int
}

var stages []*stage

// A title with a rune of three bytes, for the string operations.
var title = "Eratosthenes — concurrently"

func strings() (string, int, int) {
	runes := 0
	for range title {
		runes++
	}
	b := []byte(title)
	copy(b, "ERATOSTHENES")
	return string(b[:12]), runes, len(b)
}

// Init runs in a goroutine when the module loads.
func Init() int {
	ch := make(chan int)
	go generate(ch)
	for {
		prime, ok := <-ch
		if !ok {
			break
		}
		found = append(found, prime)
		stages = append(stages, &stage{prime: prime})
		next := make(chan int, 4)
		go filter(ch, next, prime)
		ch = next
	}
	last := found[len(found)-1]
	println(len(found), "primes below", limit, "by", len(found), "filter goroutines; the last is", last)
	first := ""
	if len(found) >= 10 {
		first = "first ten:"
	}
	print(first)
	for _, p := range found[:10] {
		print(" ", p)
	}
	println()
	top := make([]*stage, 3)
	k := copy(top, stages)
	println("copied", k, "stages; the third filters", top[2].prime)
	head, runes, bytes := strings()
	println("strings:", head, runes, "runes in", bytes, "bytes", head < "F", head == "ERATOSTHENES")
	if len(found) != primes || last != 1999 {
		return -22
	}
	return 0
}
