const [TAB, LF, CR, SPACE, DEL] = [9, 10, 13, 32, 127];

/** C0 controls other than tab, newline and carriage return (multi-line text keeps those), and DEL. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < SPACE && code !== TAB && code !== LF && code !== CR) || code === DEL) return true;
  }
  return false;
}

/** Text we store: no control characters but tab and line breaks, and no lone surrogates. */
export const isCleanText = (text: string): boolean => !hasControlCharacter(text) && text.isWellFormed();
