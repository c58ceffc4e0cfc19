import type { ReactiveController, ReactiveControllerHost } from 'lit';

export type ImageSource = 'file' | 'drop' | 'paste';

/**
 * Makes the whole host a drop target and a paste target (while focus is inside it),
 * and hands every image it receives to `onImage`.
 */
export class UploadController implements ReactiveController {
  /** True while a file is dragged over the host, for styling. */
  dragging = false;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly onImage: (file: File, source: ImageSource) => void,
    private readonly isEnabled: () => boolean,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.host.addEventListener('dragenter', this.onDragOver);
    this.host.addEventListener('dragover', this.onDragOver);
    this.host.addEventListener('dragleave', this.onDragLeave);
    this.host.addEventListener('drop', this.onDrop);
    this.host.addEventListener('paste', this.onPaste);
  }

  hostDisconnected(): void {
    this.host.removeEventListener('dragenter', this.onDragOver);
    this.host.removeEventListener('dragover', this.onDragOver);
    this.host.removeEventListener('dragleave', this.onDragLeave);
    this.host.removeEventListener('drop', this.onDrop);
    this.host.removeEventListener('paste', this.onPaste);
    this.setDragging(false);
  }

  /** For the native file input's `change` event. */
  readonly onInputChange = (event: Event): void => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = ''; // so that choosing the same file again fires change
    if (file && this.isEnabled()) this.onImage(file, 'file');
  };

  private setDragging(value: boolean): void {
    if (this.dragging === value) return;
    this.dragging = value;
    this.host.requestUpdate();
  }

  private readonly onDragOver = (event: DragEvent): void => {
    if (!this.isEnabled() || !event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    this.setDragging(true);
  };

  private readonly onDragLeave = (event: DragEvent): void => {
    if (event.relatedTarget instanceof Node && this.host.contains(event.relatedTarget)) return;
    this.setDragging(false);
  };

  private readonly onDrop = (event: DragEvent): void => {
    this.setDragging(false);
    const file = event.dataTransfer?.files[0];
    if (!file || !this.isEnabled()) return;
    event.preventDefault();
    this.onImage(file, 'drop');
  };

  private readonly onPaste = (event: ClipboardEvent): void => {
    const file = [...(event.clipboardData?.files ?? [])][0];
    if (!file || !this.isEnabled()) return;
    event.preventDefault();
    this.onImage(file, 'paste');
  };
}
