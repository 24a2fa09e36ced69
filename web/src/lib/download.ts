// Saving a document as a file from the browser, without a server round trip.

/** A file name made only of characters every file system accepts. */
export function safeFileName(base: string, extension: string): string {
  const cleaned = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100);
  return `${cleaned === '' ? 'certificate' : cleaned}.${extension}`;
}

/** Offers `value` as a pretty-printed JSON file named `fileName`. */
export function downloadJson(value: unknown, fileName: string): void {
  downloadBlob(new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' }), fileName);
}

/** Offers a blob (a file the API sent, or one made here) as a download named `fileName`. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke after the click has been handled; revoking synchronously can cancel the download.
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 0);
}
