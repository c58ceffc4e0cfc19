/** Phones and tablets, where the system camera app is offered as another way to take the photo. */
export function isMobile(userAgent: string): boolean {
  return /Android|iPhone|iPad|iPod|Mobile/i.test(userAgent);
}

/** A touch screen is the main pointer (phones, tablets): the camera opens full screen and copy says "tap". */
export function coarsePointer(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches;
}
