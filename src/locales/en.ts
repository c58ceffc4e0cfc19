/** English UI strings: the reference locale. */
export const en = {
  title: 'Check your ID document',
  instructions: 'Take a clear photo of the whole card, flat and without glare, then choose it here.',
  choose: 'Choose a photo',
  dropHint: 'or drop it here, or paste it',
  fileLabel: 'Photo of your ID document',
  previewAlt: 'The photo you chose',
  check: 'Check document',
  chooseAnother: 'Choose another',
  preparing: 'Preparing the photo…',
  uploading: 'Checking the document…',
  cancel: 'Cancel',
  live: 'Live document',
  spoof: 'Not a live document',
  liveHint: 'The photo shows a real card.',
  spoofHint: 'The photo looks like a screen, a printout or a copy.',
  score: 'Score',
  sandbox: 'Sandbox answer: not a real liveness check.',
  checkAnother: 'Check another',
  tryAgain: 'Try again',
  errorTitle: 'The check did not complete',
  cancelled: 'Cancelled. You can check this photo again or choose another.',
  ready: 'Photo chosen. Press Check document to continue.',
  startAnnouncement: 'Choose a photo of your ID document.',
};

export type LivenessStrings = typeof en;
