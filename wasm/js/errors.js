// The one error type the package throws. `code` is stable (see SyncErrorCode in index.d.ts);
// `message` is Vietnamese, for a shop owner; `detail` is technical, for developers.
export class SyncError extends Error {
  constructor({ code, message, detail = null, httpStatus = null, platformCode = null, field = null }, extra = {}) {
    super(message || code);
    this.name = 'SyncError';
    this.code = code;
    this.detail = detail;
    this.httpStatus = httpStatus;
    this.platformCode = platformCode;
    this.field = field;
    Object.assign(this, extra);
  }

  toJSON() {
    const { code, message, detail, httpStatus, platformCode, field } = this;
    return { code, message, detail, httpStatus, platformCode, field };
  }
}

export function internalError(cause) {
  return new SyncError(
    {
      code: 'internal',
      message: 'Lỗi nội bộ của mô-đun đồng bộ. Vui lòng tải lại trang và thử lại.',
      detail: String(cause && cause.message ? cause.message : cause),
    },
    { cause },
  );
}
