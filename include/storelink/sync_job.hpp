// The sans-I/O sync state machine, one per (platform, entity).
//
//   SyncJob job = SyncJob::create(options).value();
//   for (;;) {
//     Step s = job.next(nowMs);
//     if (s.kind == Step::Kind::Request) job.receive(s.requestId, send(s.request), nowMs);
//     else if (s.kind == Step::Kind::Wait) sleep(s.waitMs);
//     else break;  // Done or Failed
//     store(job.takeRecords()); save(job.checkpoint());   // records first, then the checkpoint
//   }
//
// It never performs I/O and never reads a clock: time comes in as nowMs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "storelink/connector.hpp"

namespace storelink {

struct SyncOptions {
  std::string platform;
  std::string entity;           // "products" | "orders" | "customers" | "locations"
  json settings = json::object();
  std::string checkpoint;       // from a previous job: resume it, or run incrementally after it
  std::string mode = "auto";    // "auto" (incremental when the checkpoint allows) | "full" | "incremental"
  bool includeRaw = false;
  uint64_t seed = 0;            // jitter; 0 = derive from the first nowMs
  int maxPages = 0;             // stop after this many pages (0 = all); 1 = a credentials check
};

struct Step {
  enum class Kind { Request, Wait, Done, Failed };
  Kind kind = Kind::Done;
  uint64_t requestId = 0;
  HttpRequest request;
  int64_t waitMs = 0;
  std::string waitReason;  // "rate_limit" | "retry_after" | "backoff"
  Error error;             // Failed
};

struct Progress {
  std::string phase;       // "auth" | "paging" | "waiting" | "done" | "failed" | "cancelled"
  std::string mode;        // "full" | "incremental"
  int64_t fetched = 0;     // unique records emitted (tombstones included)
  std::optional<int64_t> total;
  int64_t deleted = 0;
  int64_t pages = 0;
  int64_t requests = 0;
  int64_t retries = 0;
  int64_t waitedMs = 0;
  std::string lastWaitReason;
  // When this run (across resumes) asked for its first page; a completed full run's records
  // unchanged since then and not seen by it are gone ("sweep" deletions).
  std::optional<int64_t> startedAtMs;
};

class SyncJob {
 public:
  static Result<std::unique_ptr<SyncJob>> create(const SyncOptions& options);

  Step next(int64_t nowMs);
  // Feeds the response to request `requestId`. A stale or unknown id is ignored (false).
  bool receive(uint64_t requestId, const HttpResponse& response, int64_t nowMs);
  void cancel();

  std::vector<Record> takeRecords();
  std::string takeRecordsJson();  // JSON array text of the records taken
  Progress progress() const;
  // Opaque text; valid after every receive(). Resumes a running job, or seeds the next
  // incremental run once the job is done.
  std::string checkpoint() const;
  bool finished() const;

  SyncJob(const Connector& connector, Entity entity, json settings, bool includeRaw);

 private:
  enum class Phase { Start, Paging, Done, Failed, Cancelled };
  enum class Pending { None, Token, Setup, Page, FollowUp };

  Step emitRequest(HttpRequest r, Pending kind);
  Step waitStep(int64_t until, int64_t nowMs, const char* reason);
  void fail(Error e);
  void scheduleRetry(const ResponseVerdict& v, int64_t nowMs, ErrorCode exhaustedCode);
  void onPage(Page page, int64_t nowMs);
  void deliverHeldPage(int64_t nowMs);
  // Shared handling of a page or follow-up answer's verdict; true when it was dealt with
  // (retry scheduled, token refresh, failure) and the body must not be read.
  bool handleVerdict(const ResponseVerdict& verdict, const HttpResponse& response, int64_t nowMs);
  void finishRun();
  bool nextPartition();  // moves to the next partition to sweep; false when none is left
  bool restoreCheckpoint(const std::string& text, bool full, std::optional<Error>& err);
  PageQuery currentQuery() const;
  double nextRandom();

  const Connector& connector_;
  Entity entity_;
  json settings_;
  bool includeRaw_;
  PagingPolicy paging_;
  RatePolicy rate_;

  Phase phase_ = Phase::Start;
  std::string mode_ = "full";
  std::optional<Error> error_;

  // Auth (token platforms): the token itself stays in the proxy; only its expiry is known here.
  bool needsToken_ = false;
  std::optional<int64_t> tokenExpiresAtMs_;
  int authFailures_ = 0;

  // Setup (connector-driven requests before the first page) and follow-ups of a held page.
  bool setupDone_ = false;
  json learned_ = json::object();
  // When learned_ was learned (the caller's clock), and a previous job's reusable setup read
  // from the checkpoint, applied at the first next() if it is still young enough.
  std::optional<int64_t> learnedAtMs_;
  std::optional<json> keptLearned_;
  std::optional<int64_t> keptLearnedAtMs_;
  json reusableSetupJson() const;
  std::optional<Page> heldPage_;
  std::vector<HttpRequest> followUps_;
  size_t followUpIndex_ = 0;

  // Query position.
  std::optional<int64_t> modifiedFromMs_;
  int64_t offset_ = 0;
  std::string cursor_;
  bool askDeletions_ = false;
  bool plainOffset_ = false;  // fallback when the platform's order cannot be trusted
  size_t partition_ = 0;      // index into paging_.partitions
  std::optional<int64_t> runFromMs_;  // the filter this run started from: every partition starts there
  // Partitioned runs (Sapo orders by status): a row changed while a later partition was being
  // read may have moved into, or been created in, a partition already passed. Such a change is
  // newer than every row seen when the first partition ended, so the run's watermark is held
  // at that floor and the next run reads it (tests/js/faults.test.js, sapo/orders).
  std::optional<int64_t> partitionFloorMs_;
  int maxPages_ = 0;
  // Ids already emitted whose sort key lies in the re-anchor window, with their keys.
  std::vector<std::pair<std::string, int64_t>> window_;
  std::unordered_set<std::string> tombstonesSeen_;

  // Watermarks: the previous completed run's, and this run's newest sort key.
  std::optional<int64_t> prevWatermarkMs_;
  std::optional<int64_t> runMaxMs_;
  // When this run sent its first request (the caller's clock). The next incremental run asks
  // for deletions from here (less the overlap): deletions made during a long sweep, before its
  // newest record, were otherwise never reported (tests/js/faults.test.js).
  std::optional<int64_t> runStartMs_;

  // Retry + pacing.
  Pending pending_ = Pending::None;
  uint64_t requestSeq_ = 0;
  HttpRequest inFlight_;
  PageQuery inFlightQuery_;  // the query behind inFlight_ (page requests), for parsePage
  int attempts_ = 0;
  int64_t notBeforeMs_ = 0;
  std::string notBeforeReason_;
  double bucketTokens_ = 0;   // may go negative: a call-limit header reporting a full bucket
  bool bucketSet_ = false;    // false: full at first use
  int64_t bucketAtMs_ = 0;
  int64_t lastSentMs_ = -1;
  uint64_t rng_ = 0;
  int64_t nowMs_ = 0;

  Progress progress_;
  std::vector<Record> out_;
};

}  // namespace storelink
