/** A classification and why: every value names the attributes or image measurements behind it. */
export interface Evidence {
  /** An attribute keyword (e.g. BodyPartExamined) or an image measurement (e.g. content:lungFraction). */
  source: string;
  value: string;
}

export interface Classified<T extends string> {
  value: T;
  /** 'attributes' when read from the header, 'content' when measured in the pixels, 'default' when nothing told. */
  basis: 'attributes' | 'content' | 'default';
  evidence: Evidence[];
}

export function classified<T extends string>(value: T, basis: Classified<T>['basis'], evidence: Evidence[]): Classified<T> {
  return { value, basis, evidence };
}

/** Upper-cased words of a free-text attribute, for keyword matching across vendors. */
export function words(text: string | undefined): string[] {
  return (text ?? '').toUpperCase().split(/[^A-Z0-9+-]+/).filter(Boolean);
}
