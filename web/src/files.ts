/** Reads chosen files as base64 for the JSON API. */
export async function filesToBase64(files: FileList | null): Promise<{ filename: string; data: string }[]> {
  const list = Array.from(files ?? []);
  return Promise.all(
    list.map(
      (file) =>
        new Promise<{ filename: string; data: string }>((resolve, reject) => {
          const reader = new FileReader();
          // readAsDataURL gives a string: data:<type>;base64,<data>
          reader.onload = () => resolve({ filename: file.name, data: (typeof reader.result === 'string' ? reader.result : '').split(',')[1] ?? '' });
          reader.onerror = () => reject(reader.error ?? new Error(`Could not read ${file.name}`));
          reader.readAsDataURL(file);
        }),
    ),
  );
}
