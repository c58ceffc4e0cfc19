/** Phones and tablets, where the system camera app is offered as another way to take the photo. */
export function isMobile(userAgent: string): boolean {
  return /Android|iPhone|iPad|iPod|Mobile/i.test(userAgent);
}
