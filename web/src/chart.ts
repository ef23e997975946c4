/** A scrolling bar chart of the latest magnitudes on a canvas, redrawn at most once per frame. */
export class LiveChart {
  private readonly values: number[] = [];
  private drawPending = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly capacity = 60,
  ) {}

  push(value: number): void {
    this.values.push(value);
    if (this.values.length > this.capacity) this.values.shift();
    if (!this.drawPending) {
      this.drawPending = true;
      requestAnimationFrame(() => this.draw());
    }
  }

  private draw(): void {
    this.drawPending = false;
    const { canvas } = this;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(canvas.clientWidth * ratio);
    const height = Math.round(canvas.clientHeight * ratio);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const context = canvas.getContext("2d");
    if (!context) return;
    context.clearRect(0, 0, width, height);
    // Keep small shakes visible (the scale never drops below 50), and the tallest bar clear of the rounded corners.
    const top = Math.max(50, ...this.values) * 1.1;
    const barWidth = width / this.capacity;
    const style = getComputedStyle(canvas);
    context.fillStyle = style.getPropertyValue("--bar").trim() || "#e4572e";
    this.values.forEach((value, index) => {
      const barHeight = Math.max(1, (value / top) * height);
      const x = width - (this.values.length - index) * barWidth;
      context.fillRect(x, height - barHeight, Math.max(1, barWidth - ratio), barHeight);
    });
  }
}
