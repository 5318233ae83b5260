import { describe, expect, it } from 'vitest';
import { maskUrl, withDatabase } from './displayUrl.js';

describe('maskUrl', () => {
  it('replaces the password with ***', () => {
    expect(maskUrl('postgres://app:s3cret@db.internal:5432/plugboard')).toBe('postgres://app:***@db.internal:5432/plugboard');
  });

  it('leaves a URL without a password alone', () => {
    expect(maskUrl('postgres://postgres@127.0.0.1:5432/test')).toBe('postgres://postgres@127.0.0.1:5432/test');
  });

  it('hides the password of a URL the parser rejects', () => {
    expect(maskUrl('postgres://app:p@ss w0rd@[bad/db')).toBe('postgres://app:***@[bad/db');
  });
});

describe('withDatabase', () => {
  it('points the URL at another database, keeping credentials and query', () => {
    expect(withDatabase('postgres://app:pw@db:5432/test?sslmode=require', 'plugboard_test_1')).toBe(
      'postgres://app:pw@db:5432/plugboard_test_1?sslmode=require',
    );
  });
});
