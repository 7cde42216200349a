import { useEffect, useState } from 'react';
import { useI18n } from '../i18n.tsx';
import { useTexts } from '../texts-everyday.ts';

/** Chooses attachments and shows thumbnails of the chosen images before they are sent. */
export function FilePicker({ id, onChange }: { id: string; onChange: (files: FileList | null) => void }) {
  const { t } = useI18n();
  const x = useTexts();
  const [previews, setPreviews] = useState<{ name: string; url: string | null }[]>([]);
  useEffect(() => () => previews.forEach((p) => p.url && URL.revokeObjectURL(p.url)), [previews]);
  return (
    <>
      <label htmlFor={id}>{t.attachFiles}</label>
      <input
        id={id}
        type="file"
        multiple
        accept="image/png,image/jpeg,application/pdf"
        onChange={(e) => {
          const files = e.target.files;
          onChange(files);
          setPreviews(Array.from(files ?? []).map((f) => ({ name: f.name, url: f.type.startsWith('image/') ? URL.createObjectURL(f) : null })));
        }}
      />
      {previews.length > 0 && (
        <ul className="thumbs">
          {previews.map((p) => (
            <li key={p.name}>{p.url ? <img src={p.url} alt={x.image(p.name)} /> : <span className="file">{p.name}</span>}</li>
          ))}
        </ul>
      )}
    </>
  );
}
