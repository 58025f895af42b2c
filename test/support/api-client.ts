/** A tiny fetch-based HTTP client for e2e tests: real sockets, no Nest test helpers in between. */
export interface ApiResponse<T = any> {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON when the response is JSON, otherwise the raw text. */
  readonly body: T;
}

export interface RequestOptions {
  /** Serialised as JSON with `Content-Type: application/json`. */
  readonly json?: unknown;
  /** Sent as is (use with `headers` to control the content type). */
  readonly raw?: string;
  readonly headers?: Record<string, string>;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly authorization?: string,
  ) {}

  /** The same server, another caller. */
  as(authorization: string | undefined): ApiClient {
    return new ApiClient(this.baseUrl, authorization);
  }

  static apiKey(baseUrl: string, key: string): ApiClient {
    return new ApiClient(baseUrl, `ApiKey ${key}`);
  }

  static session(baseUrl: string, token: string): ApiClient {
    return new ApiClient(baseUrl, `Bearer ${token}`);
  }

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (this.authorization !== undefined && !('authorization' in lowerKeys(headers))) {
      headers.Authorization = this.authorization;
    }
    let body: string | undefined = options.raw;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['Content-Type'] ??= 'application/json';
    }
    const response = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('application/json');
    return { status: response.status, headers: response.headers, body: (isJson && text ? JSON.parse(text) : text) as T };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, { headers });
  }

  post<T = any>(path: string, json?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, { json, headers });
  }

  put<T = any>(path: string, json?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PUT', path, { json, headers });
  }

  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, { headers });
  }
}

function lowerKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Every `null` found anywhere in a JSON value, as dotted paths (the SDK rejects nulls). */
export function nullPaths(value: unknown, path = ''): string[] {
  if (value === null) return [path || '(root)'];
  if (typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => nullPaths(child, path ? `${path}.${key}` : key));
}

/** Asserts the spec's error body shape and returns it. */
export function expectErrorShape(response: ApiResponse, status: number, path: string): any {
  expect(response.status).toBe(status);
  expect(response.body).toEqual(
    expect.objectContaining({
      statusCode: status,
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/),
      path,
      message: expect.anything(),
      error: expect.any(String),
    }),
  );
  return response.body;
}
