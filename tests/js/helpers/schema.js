// Validates StoreLink records against the published v1 JSON Schemas (schema/*.json).
//
//   import { assertValidRecords } from './helpers/schema.js';
//   assertValidRecords(records);  // throws AssertionError listing the first errors
//
// Records may be objects or JSON text (one record each).
import { AssertionError } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const SCHEMA_DIR = new URL('../../../schema/', import.meta.url);
const MAX_REPORTED = 20; // lines in the AssertionError message
const MAX_PER_RECORD = 5;

function loadAjv() {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  const ids = {};
  for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const schema = JSON.parse(readFileSync(new URL(file, SCHEMA_DIR), 'utf8'));
    ajv.addSchema(schema);
    ids[file.replace(/\.json$/, '')] = schema.$id;
  }
  for (const name of ['common', 'record', 'product', 'order', 'customer', 'location']) {
    if (!ids[name]) throw new Error(`schema/${name}.json is missing`);
  }
  const get = (id) => {
    const v = ajv.getSchema(id);
    if (!v) throw new Error(`cannot compile schema ${id}`);
    return v;
  };
  return {
    record: get(ids.record),
    tombstone: get(`${ids.common}#/$defs/tombstone`),
    byType: {
      product: get(ids.product),
      order: get(ids.order),
      customer: get(ids.customer),
      location: get(ids.location),
    },
  };
}

let validators;
function getValidators() {
  validators ??= loadAjv();
  return validators;
}

function formatError(e) {
  const where = e.instancePath || '(record)';
  let detail = e.message;
  if (e.keyword === 'additionalProperties') detail += `: ${JSON.stringify(e.params.additionalProperty)}`;
  else if (e.keyword === 'enum') detail += `: ${JSON.stringify(e.params.allowedValues)}`;
  else if (e.keyword === 'const') detail += `: ${JSON.stringify(e.params.allowedValue)}`;
  return `${where} ${detail}`;
}

// Returns the schema errors of one record as readable strings ([] when valid).
export function validateRecord(record) {
  const v = getValidators();
  if (v.record(record)) return [];
  // record.json is a oneOf; report against the branch the record claims to be, which
  // gives precise messages instead of one failure per branch.
  let branch = null;
  if (record && typeof record === 'object' && !Array.isArray(record)) {
    if (record.deleted === true) branch = v.tombstone;
    else if (Object.hasOwn(v.byType, record.type)) branch = v.byType[record.type];
  }
  if (branch && !branch(record)) return branch.errors.map(formatError);
  return (v.record.errors ?? []).map(formatError);
}

function describe(record, index) {
  const id = record && typeof record === 'object' ? record.externalId : undefined;
  const type = record && typeof record === 'object' ? record.type : undefined;
  const parts = [`#${index}`];
  if (type !== undefined) parts.push(String(type));
  parts.push(`externalId=${JSON.stringify(id)}`);
  return parts.join(' ');
}

// Throws an AssertionError listing the first schema errors (with each record's externalId)
// unless every record is valid. Accepts an array/iterable of records (objects or JSON text).
export function assertValidRecords(records) {
  if (records == null || typeof records[Symbol.iterator] !== 'function' || typeof records === 'string') {
    throw new AssertionError({ message: 'assertValidRecords expects an array of records', actual: records });
  }
  const problems = [];
  let count = 0;
  let invalid = 0;
  for (const item of records) {
    const index = count++;
    let record = item;
    if (typeof item === 'string') {
      try {
        record = JSON.parse(item);
      } catch (err) {
        invalid++;
        if (problems.length < MAX_REPORTED) problems.push(`record #${index}: not JSON (${err.message})`);
        continue;
      }
    }
    const errors = validateRecord(record);
    if (errors.length === 0) continue;
    invalid++;
    for (const e of errors.slice(0, MAX_PER_RECORD)) {
      if (problems.length >= MAX_REPORTED) break;
      problems.push(`record ${describe(record, index)}: ${e}`);
    }
    if (errors.length > MAX_PER_RECORD && problems.length < MAX_REPORTED) {
      problems.push(`record ${describe(record, index)}: … ${errors.length - MAX_PER_RECORD} more`);
    }
  }
  if (invalid > 0) {
    throw new AssertionError({
      message:
        `${invalid} of ${count} record(s) do not match schema/record.json:\n  ` +
        problems.join('\n  ') +
        (problems.length >= MAX_REPORTED ? '\n  …' : ''),
      operator: 'assertValidRecords',
    });
  }
}
