/**
 * Calls `read` now and again after every change of the page (at most once per frame), until
 * the returned function is called: the lesson panel re-reads its checks and answers as the
 * models' outputs arrive, without the labs having to tell it.
 */
export function watchPage(read: () => void): () => void {
  let frame = 0;
  const schedule = () => {
    if (frame === 0) frame = requestAnimationFrame(() => {
      frame = 0;
      read();
    });
  };
  const observer = new MutationObserver(schedule);
  observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  read();
  return () => {
    observer.disconnect();
    if (frame) cancelAnimationFrame(frame);
  };
}
