/**
 * The cell of a `grid × grid` picture under the pointer, row-major (row × grid + column), or null
 * outside it; the element may be drawn at any display size.
 */
export function gridCellAt(event: PointerEvent, element: Element, grid: number): number | null {
  const box = element.getBoundingClientRect();
  const col = Math.floor(((event.clientX - box.left) / box.width) * grid);
  const row = Math.floor(((event.clientY - box.top) / box.height) * grid);
  return col >= 0 && col < grid && row >= 0 && row < grid ? row * grid + col : null;
}
