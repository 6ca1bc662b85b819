// How many type-checker programs are kept alive: a monorepo has a tsconfig per package, and each
// program holds its files' trees and its checker's types. Files come in path order, so a
// package's files mostly come together: the least recently used program is the one dropped (and
// rebuilt if one of its files asks again). The scan's checkers (type-router.ts) and fix's type
// check (fix/ts-typecheck.ts) keep the same number.
export const LIVE_PROGRAMS = 2;

/** The programs alive, least recently used first. */
export class LivePrograms<T> {
  private readonly items: T[] = [];
  /** `drop` lets one go (its owner forgets the program). */
  constructor(private readonly drop: (item: T) => void) {}

  /** Drops the least recently used until one more program fits (before building it: a build that throws takes no place). */
  makeRoom(): void {
    while (this.items.length >= LIVE_PROGRAMS) this.drop(this.items.shift() as T);
  }

  /** Marks a program, new or kept, as the most recently used. */
  use(item: T): void {
    if (this.items[this.items.length - 1] === item) return;
    const i = this.items.indexOf(item);
    if (i >= 0) this.items.splice(i, 1);
    this.items.push(item);
  }
}
