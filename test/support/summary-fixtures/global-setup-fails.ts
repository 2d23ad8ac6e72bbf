export function setup(): void {
  throw new Error("the database this suite needs is not there");
}
