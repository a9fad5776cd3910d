// SPDX-License-Identifier: GPL-2.0

// Package pipeline is samples/channels written in Go: a generator
// goroutine feeds an unbuffered channel, squarer goroutines turn numbers
// into squares on a buffered one, and Init collects the results and the
// squarers' reports with a select. Closing a channel is how the generator
// tells the squarers it is done; a select with a default case polls a
// quit channel. One goroutine outlives Init by holdMs, so that rmmod is
// refused until it ends.
package pipeline

//extern go3s_sleep
func sleep(ns uint64) int32

const (
	n        = 100
	squarers = 4
	holdMs   = 3000
)

type result struct {
	worker int
	square int
}

func generate(nums chan<- int, quit <-chan bool) {
	for i := 1; i <= n; i++ {
		select {
		case <-quit:
			close(nums)
			return
		default:
		}
		nums <- i
	}
	close(nums)
}

func square(id int, nums <-chan int, out chan<- result, done chan<- int) {
	count := 0
	for v := range nums {
		out <- result{worker: id, square: v * v}
		count++
	}
	done <- count
}

// Init runs in a goroutine when the module loads; its result is the
// module init's.
func Init() int {
	nums := make(chan int)
	out := make(chan result, 16)
	done := make(chan int, squarers)
	quit := make(chan bool)

	go generate(nums, quit)
	for i := 0; i < squarers; i++ {
		go square(i, nums, out, done)
	}

	// Collect results and the squarers' reports, whichever comes.
	sum, finished := 0, 0
	per := [squarers]int{}
	counts := make([]int, 0)
	for finished < squarers {
		select {
		case r := <-out:
			sum += r.square
			per[r.worker]++
		case c := <-done:
			counts = append(counts, c)
			finished++
		}
	}
	// Each squarer sent all its results before it reported: drain the rest.
	for len(out) > 0 {
		r := <-out
		sum += r.square
		per[r.worker]++
	}
	total := 0
	for _, c := range per {
		total += c
	}
	println("squares of 1 ..", n, "from", squarers, "squarers:", sum, "in", total, "results")
	if sum != n*(n+1)*(2*n+1)/6 || total != n || len(counts) != squarers {
		return -22
	}

	// Selects that send, with a default: the second finds the buffer full.
	note := make(chan int, 1)
	sent := [2]bool{}
	for i := range sent {
		select {
		case note <- i:
			sent[i] = true
		default:
		}
	}
	println("non-blocking sends:", sent[0], sent[1], "then", <-note)

	// A goroutine (a closure) that outlives Init: rmmod must wait for it.
	go func() {
		sleep(holdMs * 1000000)
		println("last goroutine done; squarers reported", counts[0]+counts[1]+counts[2]+counts[3], "numbers")
	}()
	return 0
}

// Exit runs in a goroutine when the module unloads.
func Exit() {
	println("exit")
}
