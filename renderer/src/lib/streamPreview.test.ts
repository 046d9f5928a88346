import { describe, expect, it } from 'vitest';
import { previewAnswer } from './streamPreview.js';

describe('previewAnswer', () => {
  it('shows the answer of complete JSON, unescaped', () => {
    expect(previewAnswer('{"answer": "Line one\\nsays \\"hi\\" \\u00e9", "evidence": []}')).toBe('Line one\nsays "hi" é');
  });

  it('shows a partial answer while it streams, including inside a fence', () => {
    expect(previewAnswer('```json\n{"answer": "Retry with ji')).toBe('Retry with ji');
    expect(previewAnswer('{"answer": "ends in an escape \\')).toBe('ends in an escape ');
    expect(previewAnswer('{"answer": "half a code \\u00')).toBe('half a code ');
  });

  it('hides JSON before the answer starts, and keeps plain text as it is', () => {
    expect(previewAnswer('{"evid')).toBe('');
    expect(previewAnswer('```')).toBe('');
    expect(previewAnswer('Plain words, no JSON.')).toBe('Plain words, no JSON.');
  });
});
