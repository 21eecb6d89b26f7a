// Types of the npm package `storelink` (the same surface in Node and in browsers/workers).

export type PlatformId = 'kiotviet' | 'sapo' | 'haravan' | 'nhanh' | 'pancake' | 'odoo' | 'getfly' | 'misa';
export type EntityName = 'products' | 'orders' | 'customers' | 'locations';
/** Languages of the human texts: Vietnamese (the module's own, default) and English. */
export type Language = 'vi' | 'en';

export type SyncErrorCode =
  | 'invalid_json' | 'unexpected_shape' | 'invalid_input' | 'invalid_credentials' | 'forbidden'
  | 'not_found' | 'rate_limited' | 'platform_error' | 'server_error' | 'network' | 'cancelled'
  | 'unsupported' | 'internal';

export interface ErrorInfo {
  code: SyncErrorCode;
  /** Vietnamese, for a shop owner; `errorMessage(error, 'en')` gives English. */
  message: string;
  /** Technical detail, for developers. */
  detail: string | null;
  httpStatus: number | null;
  /** The platform's own error code, e.g. KiotViet "TokenException". */
  platformCode: string | null;
  /** The input field at fault, when there is one. */
  field: string | null;
}

export class SyncError extends Error implements ErrorInfo {
  code: SyncErrorCode;
  detail: string | null;
  httpStatus: number | null;
  platformCode: string | null;
  field: string | null;
  /** Set when a running job failed or was cancelled: resume from it. */
  checkpoint?: string;
  progress?: Progress;
  toJSON(): ErrorInfo;
}

export interface CredentialField {
  key: string; label: string; help: string; secret: boolean; example: string;
  /** Who provides it: typed in the connect form, filled by the connect flow (OAuth), or StoreLink's own app credentials (server config). */
  source: 'user' | 'oauth' | 'app';
  /** May be left empty (e.g. Haravan's webhook authentication string). */
  optional: boolean;
}
export interface SettingField { key: string; label: string; kind: 'branch' | 'boolean' | 'entities'; help: string }
export interface PlatformInfo {
  id: PlatformId;
  displayName: string;
  description: string;
  entities: EntityName[];
  /**
   * How each entity's deletions are learned: 'feed' — incremental syncs return tombstones;
   * 'sweep' — the platform's lists omit deleted rows without saying so, so after a completed
   * full sync the records it did not see (and that were not updated since it started) are gone.
   * `sweepDeletions()` applies that rule.
   */
  deletions: Partial<Record<EntityName, 'feed' | 'sweep'>>;
  /**
   * The platform's request budget as a job paces itself: a token bucket (`burst` requests at
   * once, refilled at `requestsPerSecond`), counted per account or per URL. A server running
   * several jobs for one connection holds it per connection (StoreLink's proxy does). Null
   * for a platform without a connector yet.
   */
  rate: { requestsPerSecond: number; burst: number; minSpacingMs: number; scope: 'account' | 'url' } | null;
  credentials: CredentialField[];
  settings: SettingField[];
  status: 'available' | 'coming_soon';
  apiHosts: string[];
  /** Shop subdomain patterns the proxy accepts ("*.mysapo.net"); "*" = a user-given URL. */
  apiHostPatterns: string[];
  /** The platform pushes webhooks. */
  webhooks: boolean;
}

export interface WebhookEvent {
  topic: string;
  entity: EntityName | null;
  deletion: boolean;
  eventId: string | null;
  storeKey: string | null;
  signatureChecked: boolean;
}

// --- the unified record model (schema/*.json) ---------------------------------
export interface Address {
  name: string | null; phone: string | null; address: string | null; ward: string | null;
  district: string | null; province: string | null; country: string | null;
}
interface RecordBase {
  platform: PlatformId;
  externalId: string;
  /** ISO-8601 UTC ending in Z. */
  createdAt: string | null;
  updatedAt: string | null;
  deleted: boolean;
  raw?: unknown;
}
export interface StockLevel { locationId: string; onHand: number | null; available: number | null }
export interface Variant {
  externalId: string; sku: string | null; barcode: string | null; name: string | null;
  options: Record<string, string>;
  price: number | null; compareAtPrice: number | null; cost: number | null; weightGrams: number | null;
  stock: StockLevel[];
  /** Available to sell. */
  totalStock: number | null;
}
export interface ProductRecord extends RecordBase {
  type: 'product'; deleted: false;
  name: string | null; sku: string | null; barcode: string | null; description: string | null;
  category: string | null; brand: string | null; active: boolean | null; images: string[];
  taxRate: number | null; parentExternalId: string | null; variants: Variant[]; totalStock: number | null;
}
export type OrderStatus = 'pending' | 'confirmed' | 'processing' | 'shipping' | 'completed' | 'cancelled' | 'returned';
export type PaymentStatus = 'unpaid' | 'partially_paid' | 'paid' | 'refunded' | 'partially_refunded';
export interface OrderLine {
  productExternalId: string | null; variantExternalId: string | null; sku: string | null; name: string | null;
  quantity: number | null; unitPrice: number | null; discount: number | null; total: number | null;
}
export interface OrderRecord extends RecordBase {
  type: 'order'; deleted: false;
  code: string | null; status: OrderStatus | null; platformStatus: string | null; paymentStatus: PaymentStatus | null;
  customer: { externalId: string | null; name: string | null; phone: string | null; email: string | null } | null;
  lines: OrderLine[];
  subtotal: number | null; discount: number | null; shippingFee: number | null; tax: number | null; total: number | null;
  currency: string | null; shippingAddress: Address | null; locationId: string | null; note: string | null;
}
export interface CustomerRecord extends RecordBase {
  type: 'customer'; deleted: false;
  name: string | null; phone: string | null; email: string | null; gender: 'male' | 'female' | null;
  /** YYYY-MM-DD */
  birthday: string | null; address: Address | null; totalSpent: number | null; orderCount: number | null; groups: string[];
}
export interface LocationRecord extends RecordBase {
  type: 'location'; deleted: false;
  name: string | null; address: string | null; phone: string | null;
}
export interface Tombstone extends RecordBase {
  type: 'product' | 'order' | 'customer' | 'location'; deleted: true;
}
export type UnifiedRecord = ProductRecord | OrderRecord | CustomerRecord | LocationRecord | Tombstone;

/** Nhanh.vn getaccesstoken / checkaccesstoken, parsed (the token itself stays in the proxy). */
export interface NhanhGrant {
  businessId: string;
  /** Depots granted to the token; [] with allDepots = every depot, now and later. */
  depotIds: string[];
  allDepots: boolean;
  /** ISO UTC; tokens last a year and cannot be refreshed. */
  expiredAt: string | null;
  expiresAtMs: number | null;
  permissions: string[];
  version: string | null;
  /** The proxy replaced the token by its placeholder (keepSecrets worked). */
  accessTokenKept: boolean;
}

// --- requests, jobs, driver ----------------------------------------------------
/** A plain-data HTTP request. Secrets appear only as {{secret.NAME}} placeholders. */
export interface RequestDescriptor {
  method: string;
  url: string;
  query: [string, string][];
  headers: [string, string][];
  body: string;
  /** Response fields the proxy keeps server-side: field → secret name. */
  keepSecrets?: Record<string, string>;
  idempotencyKey?: string;
  purpose?: 'auth' | 'page' | 'verify' | 'write';
}
export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** When status is 0: why there is no response. */
  error?: 'timeout' | 'network' | 'aborted';
}
export type Transport = (request: RequestDescriptor, init: { signal?: AbortSignal }) => Promise<TransportResponse>;

export type Step =
  | { kind: 'request'; id: number; request: RequestDescriptor }
  | { kind: 'wait'; waitMs: number; reason: 'rate_limit' | 'retry_after' | 'backoff' }
  | { kind: 'done' }
  | { kind: 'failed'; error: ErrorInfo };

export interface Progress {
  platform: PlatformId; entity: EntityName;
  phase: 'auth' | 'paging' | 'waiting' | 'done' | 'failed' | 'cancelled';
  mode: 'full' | 'incremental';
  fetched: number; total: number | null; deleted: number;
  pages: number; requests: number; retries: number; waitedMs: number;
  lastWaitReason: 'rate_limit' | 'retry_after' | 'backoff' | null;
  /** When this run (across resumes) asked for its first page; null before. */
  startedAtMs: number | null;
}

export interface SyncJob {
  readonly platform: PlatformId;
  readonly entity: EntityName;
  next(nowMs: number): Step;
  receive(id: number, response: TransportResponse, nowMs: number): boolean;
  takeRecords(): UnifiedRecord[];
  progress(): Progress;
  checkpoint(): string;
  cancel(): void;
  dispose(): void;
  [Symbol.dispose](): void;
}

export interface CreateSyncOptions {
  platform: PlatformId;
  entity: EntityName;
  /** Per-platform settings, e.g. KiotViet { branchId }. */
  settings?: Record<string, unknown>;
  /** A previous job's checkpoint: resumes it, or runs incrementally after it. */
  checkpoint?: string | null;
  mode?: 'auto' | 'full' | 'incremental';
  /** Include the platform's own JSON as `raw` on each record. */
  raw?: boolean;
  seed?: number;
  /** Stop after this many pages (1 = a cheap credentials check). */
  maxPages?: number;
}

export interface NormalizeResult {
  records: UnifiedRecord[];
  errors: ErrorInfo[];
  total: number | null;
  removedIds: string[];
}

/**
 * Arguments of the wrong type or shape (a cyclic object, a BigInt, a non-string body, a
 * malformed request) throw SyncError `invalid_input` naming the `field`; normalize() returns it
 * in `errors` instead. A job's next() with a non-time answers a `failed` step; receive() with
 * an unknown id or a non-time returns false.
 */
export interface StoreLink {
  version(): string;
  /** What the wasm module holds: linear memory size (it never shrinks) and bytes allocated now. */
  memory(): { heapBytes: number; usedBytes: number };
  /**
   * The platforms, with credential fields, settings and status. `lang: 'en'` translates the
   * description and each field's label, help (and a language-specific example); default 'vi'.
   */
  platforms(options?: { lang?: Language | string }): PlatformInfo[];
  normalize(platform: PlatformId, entity: EntityName, body: string | Uint8Array, options?: { raw?: boolean; settings?: Record<string, unknown> }): NormalizeResult;
  createSync(options: CreateSyncOptions): SyncJob;
  fillSecrets(request: RequestDescriptor, secrets: Record<string, string>): RequestDescriptor;
  keepSecrets(request: RequestDescriptor, body: string): { body: string; captured: Record<string, string> };
  buildUrl(request: RequestDescriptor): string;
  inspectWebhook(platform: PlatformId, headers: Record<string, string>, body: string | Uint8Array, secret?: string): WebhookEvent;
  /**
   * Checks and normalizes connect-form values as the user types (e.g. a Sapo store typed as
   * "https://ten.mysapo.net/admin" → "ten"). Store `values`; show `errors` by `field`.
   */
  checkCredentials(platform: PlatformId, values: Record<string, string>): { values: Record<string, string>; errors: ErrorInfo[] };
  /** Connect-flow building blocks (descriptors with placeholders, parsers); the server does the I/O. */
  connect(platform: 'nhanh', step: 'consentUrl', input: { appId: string | number; returnLink: string }): { url: string };
  connect(platform: 'nhanh', step: 'tokenRequest', input: { accessCode: string; appId?: string | number }): { request: RequestDescriptor };
  connect(platform: 'nhanh', step: 'checkTokenRequest', input?: { appId?: string | number }): { request: RequestDescriptor };
  connect(platform: 'nhanh', step: 'tokenResult', input: { body: string }): NhanhGrant;
  /** Re-read products by id (≤ 100 per request), e.g. those an inventoryChange webhook names; normalize the answers as 'products'. */
  connect(platform: 'nhanh', step: 'productsRequest', input: { ids?: (string | number)[]; body?: string }): { requests: RequestDescriptor[] };
  /** The whole product behind a variation (stock) webhook, or by id; normalize the answer as 'products'. */
  connect(platform: 'pancake', step: 'productRequest', input: { id?: string; body?: string }): { request: RequestDescriptor };
  connect(platform: 'pancake', step: 'shopsRequest', input?: Record<string, never>): { request: RequestDescriptor };
  connect(platform: 'pancake', step: 'shopsResult', input: { body: string; status?: number }): { shops: { id: string; name: string | null; avatarUrl: string | null }[] };
  connect(platform: 'pancake', step: 'webhookSettings', input: { baseUrl: string; shopId: string | number; secret?: string }): { url: string; headers: Record<string, string>; data: string[] };
  /**
   * Webhook registration through the platform's API (Sapo `/admin/webhooks.json`): list the
   * registrations at `address`, then create the missing topics and remove duplicates; on
   * disconnect remove every registration at `address`. Haravan private apps cannot (unsupported).
   */
  connect(platform: 'sapo' | 'haravan', step: 'webhooksListRequest', input: { address: string; settings?: Record<string, unknown> }): { request: RequestDescriptor };
  connect(platform: 'sapo' | 'haravan', step: 'webhooksRegister', input: { address: string; status: number; body: string; settings?: Record<string, unknown> }): { create: RequestDescriptor[]; remove: RequestDescriptor[]; registered: { id: string; topic: string }[] };
  connect(platform: 'sapo' | 'haravan', step: 'webhooksUnregister', input: { address: string; status: number; body: string; settings?: Record<string, unknown> }): { remove: RequestDescriptor[] };
  connect(platform: 'sapo' | 'haravan', step: 'webhookResult', input: { status: number; body: string }): { ok: true; webhook: { id: string; topic: string; address: string } | null };
  /**
   * A webhook delivery that carries part of a record (KiotViet stock.update, Nhanh.vn
   * inventoryChange, a Pancake POS variation) normalizes to no record: the reads that give the
   * whole records again (none for other deliveries; KiotViet gives none past 20 products and
   * says `tooMany` — the next scheduled sync reads them). Normalize each answer as `entity`.
   * Other platforms: unsupported.
   */
  connect(platform: 'kiotviet' | 'nhanh' | 'pancake', step: 'webhookRefresh', input: { body: string; settings?: Record<string, unknown> }): { requests: RequestDescriptor[]; entity?: 'products'; tooMany?: number };
  connect(platform: PlatformId, step: string, input?: Record<string, unknown>): unknown;
}

export { errorMessage, localizePlatforms, missingTexts, LANGUAGES } from './i18n/index.js';
export type { ErrorMessageOptions } from './i18n/index.js';

export function createStoreLink(options?: { wasmBinary?: Uint8Array; wasmUrl?: string }): Promise<StoreLink>;

export interface Clock { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> }
export const realClock: Clock;

export interface RunSyncOptions {
  onProgress?: (p: Progress) => void;
  /** Awaited after every page: persist the records, then the checkpoint. */
  onRecords?: (records: UnifiedRecord[], checkpoint: string) => void | Promise<void>;
  onWait?: (step: Extract<Step, { kind: 'wait' }>) => void;
  signal?: AbortSignal;
  clock?: Clock;
}
/**
 * Deletions for 'sweep' entities (PlatformInfo.deletions): after a completed full sync, the
 * stored records it did not see and that were not written since it started. Refuses (returns
 * no ids, `refused` set) when that would remove more than `maxShare` of the live records and
 * more than `alwaysAllowed` records: a platform answering empty lists must not empty the shop.
 */
export function sweepDeletions(args: {
  stored: Iterable<{ externalId: string; storedAtMs: number }>;
  seen: Iterable<string>;
  startedAtMs: number;
  maxShare?: number;
  alwaysAllowed?: number;
}): { removedIds: string[]; refused: null | { reason: 'too_many'; wouldRemove: number; live: number } };

export function runSync(
  job: SyncJob, transport: Transport, options?: RunSyncOptions,
): Promise<{ progress: Progress; checkpoint: string; records?: UnifiedRecord[] }>;

export function createLocalTransport(
  sl: StoreLink,
  options: { secrets: Record<string, string>; hostMap?: Record<string, string>; fetch?: typeof fetch; timeoutMs?: number },
): Transport;
export function createProxyTransport(
  options: { baseUrl?: string; connectionId: string; fetch?: typeof fetch; timeoutMs?: number; headers?: Record<string, string> },
): Transport;
export function mapHost(url: string, hostMap: Record<string, string>): string;
