/**
 * The event loop's watch: a crowded turn (here 16 requests or more) is cut at twice the budget, a sustained overload
 * at the budget itself; a turn long because of a few slow requests, or a loop that keeps within the budget, refuses
 * nothing. Turns are made
 * here as a server makes them: requests taken one after another in one turn, each costing CPU time (a busy wait).
 */
import { LoopPressure } from "@bulwark/core"
import { describe, expect, it } from "vitest"

const BUDGET = 100
const CROWD = 16

/** Keeps the thread busy for `ms`. */
const busy = (ms: number) => {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // burning CPU, as a request's work does
  }
}

/** Ends the current turn (the watch ends it in a `setImmediate` of its own, queued before this one). */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

/** A turn of `requests` requests spread over `ms`: whether each was refused. */
const turn = (watch: LoopPressure.LoopPressure, requests: number, ms: number) => {
  const refused: Array<boolean> = []
  for (let i = 0; i < requests; i++) {
    refused.push(watch.arrive())
    busy(ms / requests)
  }
  return refused
}

describe("LoopPressure", () => {
  it("refuses the requests late in a crowded turn past twice the budget, and only those", async () => {
    const watch = LoopPressure.make(BUDGET, CROWD)
    // 40 requests over 3 budgets: those after 2 budgets (the last third, give or take a couple) are refused.
    const refused = turn(watch, 40, 3 * BUDGET)
    const first = refused.indexOf(true)
    expect(first).toBeGreaterThanOrEqual(25)
    expect(first).toBeLessThanOrEqual(29)
    expect(refused.slice(first).every(Boolean)).toBe(true)
    await nextTurn()
    // The next turn starts afresh: its first request is taken.
    expect(watch.arrive()).toBe(false)
  })

  it("refuses nothing in a turn made long by a few slow requests", async () => {
    const watch = LoopPressure.make(BUDGET, CROWD)
    for (let i = 0; i < 3; i++) {
      expect(turn(watch, 4, 3 * BUDGET)).toEqual([false, false, false, false])
      await nextTurn()
    }
  })

  it("cuts at the budget after two crowded turns in a row past it, while crowded turns past it keep coming", async () => {
    const watch = LoopPressure.make(BUDGET, CROWD)
    // Two crowded turns of 1.5 budgets: nothing refused yet (within twice the budget), but the overload is sustained.
    for (let i = 0; i < 2; i++) {
      expect(turn(watch, 30, 1.5 * BUDGET).some(Boolean)).toBe(false)
      await nextTurn()
    }
    // Now the third is cut at the budget: of 30 requests over 1.5 budgets, the last third is refused.
    const refused = turn(watch, 30, 1.5 * BUDGET)
    expect(refused.indexOf(true)).toBeGreaterThanOrEqual(18)
    expect(refused.indexOf(true)).toBeLessThanOrEqual(22)
    await nextTurn()
    // While it lasts, even a turn of a few requests is cut at the budget.
    expect(turn(watch, 4, 1.5 * BUDGET)).toEqual([false, false, false, true])
    await nextTurn()
    // A short crowded turn does not end it (under a flood, the refusals keep some turns short): the next long one is
    // still cut at the budget.
    expect(turn(watch, 20, 0.2 * BUDGET).some(Boolean)).toBe(false)
    await nextTurn()
    const cut = turn(watch, 30, 1.5 * BUDGET).indexOf(true)
    expect(cut).toBeGreaterThanOrEqual(18)
    expect(cut).toBeLessThanOrEqual(22)
  })

  it("ends a sustained overload a quarter second after its last crowded turn past the budget", async () => {
    const watch = LoopPressure.make(BUDGET, CROWD)
    for (let i = 0; i < 2; i++) {
      turn(watch, 30, 1.5 * BUDGET)
      await nextTurn()
    }
    // Short crowded turns for over a quarter second: none past the budget.
    const until = performance.now() + 300
    while (performance.now() < until) {
      expect(turn(watch, 20, 0.2 * BUDGET).some(Boolean)).toBe(false)
      await nextTurn()
    }
    // Over: a long crowded turn is cut at twice the budget again, not at the budget.
    expect(turn(watch, 30, 1.5 * BUDGET).some(Boolean)).toBe(false)
  })

  it("ends a sustained overload after a quarter second without a crowded turn", async () => {
    const watch = LoopPressure.make(BUDGET, CROWD)
    for (let i = 0; i < 2; i++) {
      turn(watch, 30, 1.5 * BUDGET)
      await nextTurn()
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
    // Cut at twice the budget again, not at the budget: nothing refused in 1.5 budgets.
    expect(turn(watch, 30, 1.5 * BUDGET).some(Boolean)).toBe(false)
  })

  it("counts the connections a turn accepts: a storm of new clients makes a crowded turn from its first", async () => {
    const watch = LoopPressure.make(BUDGET, CROWD)
    // A turn that accepts a crowd of connections over 2.5 budgets (no request yet), then reads 4 requests: the turn
    // is past twice the budget and crowded, so they are refused; the same 4 alone in a long turn would be taken.
    for (let i = 0; i < 20; i++) {
      watch.accept()
      busy((2.5 * BUDGET) / 20)
    }
    expect(turn(watch, 4, 0)).toEqual([true, true, true, true])
    await nextTurn()
    // It counts as a crowded turn past the budget: one more such turn and the overload is sustained.
    expect(turn(watch, 30, 1.5 * BUDGET).some(Boolean)).toBe(false)
    await nextTurn()
    expect(turn(watch, 4, 1.5 * BUDGET)).toEqual([false, false, false, true])
  })

  it("refuses nothing while every turn keeps within the budget", async () => {
    const watch = LoopPressure.make(BUDGET, CROWD)
    for (let i = 0; i < 10; i++) {
      expect(turn(watch, 50, 0.5 * BUDGET).some(Boolean)).toBe(false)
      await nextTurn()
    }
  })
})
