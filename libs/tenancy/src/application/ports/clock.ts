/** The current time; replaced by a fake in tests. */
export abstract class Clock {
  abstract now(): Date;
}
