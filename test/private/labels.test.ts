import {
  DISTRIBUTION_COMMENT, FUNCTION_DESCRIPTION, LabelRule, SECURITY_GROUP_DESCRIPTION, TAG_VALUE, WAF_DESCRIPTION,
  describePath, fitLabel, pathLabel,
} from '../../lib/private/labels';

/** Letters, digits and '-', 20 characters: small enough to write the expected labels out. */
const SHORT: LabelRule = { invalid: /[^a-zA-Z0-9-]/g, maxLength: 20 };
const scope = (path: string) => ({ node: { path } });

describe('field rules', () => {
  test.each<[string, LabelRule, number, string, string]>([
    // name, rule, max length, every character the field allows kept, characters it refuses replaced
    ['WAF_DESCRIPTION', WAF_DESCRIPTION, 256, 'aZ09+=:#@/-,. ', 'a_b(c)~'],
    ['SECURITY_GROUP_DESCRIPTION', SECURITY_GROUP_DESCRIPTION, 255, 'aZ09,. _-:/()#@[]+=&;{}!$*', 'a"b~<é'],
    ['TAG_VALUE', TAG_VALUE, 256, 'aZ09 Ünï_.:/=+-@', 'a!b#(é'],
    ['DISTRIBUTION_COMMENT', DISTRIBUTION_COMMENT, 128, ' aZ09~!"_()', 'aé\tb'],
    ['FUNCTION_DESCRIPTION', FUNCTION_DESCRIPTION, 256, ' aZ09~!"_()', 'aé\nb'],
  ])('%s', (_name, rule, maxLength, allowed, refused) => {
    expect(rule.maxLength).toBe(maxLength);
    expect(fitLabel(`x${allowed}`, '', rule)).toBe(`x${allowed}`);
    const cleaned = fitLabel(`x${refused}`, '', rule);
    expect(cleaned).toHaveLength(refused.length + 1);
    expect(cleaned).not.toBe(`x${refused}`);
    // only the refused characters changed, each to '-'
    [...refused].forEach((c, i) => expect(cleaned[i + 1] === c || cleaned[i + 1] === '-').toBe(true));
  });

  test.each([
    [WAF_DESCRIPTION, 'a_b(c)~', 'a-b-c--'],
    [SECURITY_GROUP_DESCRIPTION, 'a"b~<é', 'a-b---'],
    [TAG_VALUE, 'a!b#(é', 'a-b--é'],
    [DISTRIBUTION_COMMENT, 'aé\tb', 'a--b'],
  ])('%#: %j becomes %j', (rule, name, label) => {
    expect(fitLabel(name, '', rule)).toBe(label);
  });
});

describe('fitLabel', () => {
  test('characters before the first letter or digit are dropped; later ones kept', () => {
    expect(fitLabel('--/a--b', '', SHORT)).toBe('a--b');
    expect(fitLabel('_a', '', WAF_DESCRIPTION)).toBe('a');
  });

  test('a name that fits exactly is kept whole', () => {
    expect(fitLabel('abcdefghijklmnopqrst', '', SHORT)).toBe('abcdefghijklmnopqrst');
  });

  test('a name one character too long keeps its end behind a hash of the whole name, at the maximum length', () => {
    expect(fitLabel('abcdefghijklmnopqrstu', '', SHORT)).toBe('25F62A5A-klmnopqrstu');
  });

  test('the suffix counts against the length and is kept whole', () => {
    expect(fitLabel('abcdefghijklmnopqrstuvwxyz', 'xy', SHORT)).toBe('71C480DF-rstuvwxyzxy');
    expect(fitLabel('abc', 'xy', SHORT)).toBe('abcxy');
  });

  test('characters of the suffix the field refuses are replaced too', () => {
    expect(fitLabel('abcdefghijklmnopqrstuvwxyz', '_y', SHORT)).toBe('71C480DF-rstuvwxyz-y');
    expect(fitLabel('abc', '_y', SHORT)).toBe('abc-y');
  });

  test('the suffix is measured after replacement (a surrogate pair becomes one character)', () => {
    const label = fitLabel('x'.repeat(300), ' \u{1F600}', TAG_VALUE);
    expect(label).toHaveLength(256);
    expect(label).toBe(`0D4E2CA9-${'x'.repeat(245)} -`);
  });

  test.each([0, 1, 8, 9, 10])('a long name in a field with room for %i characters is cut to that room', (room) => {
    const rule = { invalid: /[^a-z-]/g, maxLength: room + 3 };
    expect(fitLabel('a-name-far-too-long-for-the-field', '-sx', rule).length).toBe(room + 3);
  });

  test('two long names with the same end stay distinct', () => {
    const a = fitLabel(`a${'x'.repeat(40)}`, '', SHORT);
    const b = fitLabel(`b${'x'.repeat(40)}`, '', SHORT);
    expect(a).not.toBe(b);
    expect(a.slice(8)).toBe(b.slice(8));
  });
});

describe('pathLabel and describePath', () => {
  test('the cleaned prefix comes first and counts against the length', () => {
    expect(pathLabel(scope('Stack/Fn'), '-s', SHORT, 'P_')).toBe('P-Stack-Fn-s');
    expect(pathLabel(scope('Stack/Very/Long/Path/Name'), '-s', SHORT, 'P_')).toBe('P-004FD605-th-Name-s');
  });

  test('without a prefix, the path alone', () => {
    expect(pathLabel(scope('Stack/Fn'), '', SHORT)).toBe('Stack-Fn');
  });

  test('describePath keeps printable ASCII and the maximum length', () => {
    expect(describePath('Pre: ', scope('Stack/Fn\u00e9'), 100)).toBe('Pre: Stack/Fn-');
    const long = describePath('Pre: ', scope(`Stack/${'a'.repeat(30)}`), 30);
    expect(long).toBe('Pre: 438EC711-aaaaaaaaaaaaaaaa');
    expect(long).toHaveLength(30);
  });
});
