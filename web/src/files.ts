/** Reads chosen files as base64 for the JSON API. */
export async function filesToBase64(files: FileList | null): Promise<{ filename: string; data: string }[]> {
  const list = Array.from(files ?? []);
  return Promise.all(
    list.map(
      (file) =>
        new Promise<{ filename: string; data: string }>((resolve, reject) => {
          const reader = new FileReader();
          reader.onload = () => resolve({ filename: file.name, data: String(reader.result).split(',')[1] ?? '' });
          reader.onerror = () => reject(reader.error);
          reader.readAsDataURL(file);
        }),
    ),
  );
}
