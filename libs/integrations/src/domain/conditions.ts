export const BUILDER_FIELD_TYPES = ['BOOLEAN', 'TEXT', 'DATE', 'NUMBER', 'STATEMENT', 'LIST', 'MULTI_LIST', 'GROUP'] as const;
export type BuilderFieldType = (typeof BUILDER_FIELD_TYPES)[number];

export const FILTER_OPERATORS = [
  'LARGER',
  'SMALLER',
  'LARGER_EQUAL',
  'SMALLER_EQUAL',
  'EQUAL',
  'NOT_EQUAL',
  'ALL_IN',
  'ANY_IN',
  'NOT_IN',
  'BETWEEN',
  'NOT_BETWEEN',
  'LIKE',
  'NOT_LIKE',
  'IN',
  'IS_DEFINED',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export const FILTER_SOURCES = ['subscriber', 'payload', 'tenant'] as const;
export type FilterSource = (typeof FILTER_SOURCES)[number];

export const FILTER_JOINS = ['AND', 'OR'] as const;
export type FilterJoin = (typeof FILTER_JOINS)[number];

export interface FieldFilterPart {
  field: string;
  value: string;
  operator: FilterOperator;
  on: FilterSource;
}

export interface StepFilter {
  isNegated: boolean;
  type?: BuilderFieldType;
  value: FilterJoin;
  children: FieldFilterPart[];
}
