import { describe, expect, it } from 'vitest';
import { Template } from '../../../shared/api/index.js';
import { fieldOfError, formErrors, initialValues, varsFromForm } from './templateForm.js';

const t = Template.parse({
  id: 'x',
  title: 'X',
  inputs: [
    { name: 'who', type: 'string', required: true },
    { name: 'n', type: 'int', min: 1, max: 3, default: 2 },
    { name: 'tags', type: 'multiselect', options: ['a', 'b'] },
    { name: 'loud', type: 'bool' },
  ],
  body: '{{ who }} {{ n }} {{ tags | join: "," }} {{ loud }}',
});

describe('template form', () => {
  it('starts from defaults (or the example) and sends only what is filled', () => {
    const v = initialValues(t);
    expect(v).toEqual({ who: '', n: '2', tags: [], loud: false });
    expect(varsFromForm(t, { ...v, who: 'Ada' })).toEqual({ who: 'Ada', n: '2', loud: false });
    expect(initialValues(t, { who: 'Bo', tags: ['b'] })).toMatchObject({ who: 'Bo', tags: ['b'] });
  });

  it('errors are per field, with the same words as the service', () => {
    expect(formErrors(t, { who: '', n: 'abc', tags: [], loud: false })).toEqual({ who: 'is required', n: 'must be a whole number (got "abc")' });
    expect(formErrors(t, { who: 'Ada', n: '3', tags: ['a'], loud: true })).toEqual({});
    expect(fieldOfError('vars.n')).toBe('n');
    expect(fieldOfError('template.vars.who')).toBe('who');
    expect(fieldOfError('template.id')).toBeNull();
  });
});
