// fetch() for the REST API: session cookie + CSRF header, JSON in and out, and
// errors turned into one readable sentence an agent can act on.

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

export class ApiError extends Error {
  constructor(status, message, data = null) {
    super(message);
    this.status = status;
    this.data = data;
  }
}

const FALLBACK = {
  0: "Can't reach the server. Check your connection and try again.",
  403: "You are not allowed to do that.",
  404: "This conversation is no longer available to you.",
  409: "Someone else got there first.",
  413: "That file is too large to send.",
  415: "That type of file can't be sent.",
};

export function errorText(status, data) {
  if (data && typeof data === "object") {
    if (data.detail) return String(data.detail);
    const [field, problems] = Object.entries(data)[0] || [];
    if (field) return `${field === "non_field_errors" ? "" : `${field}: `}${[].concat(problems).join(" ")}`;
  }
  return FALLBACK[status] || (status >= 500 ? "The server had a problem; try again in a moment." : `Request failed (${status}).`);
}

function sessionExpired(status, data) {
  return (status === 401 || status === 403) && /credentials/i.test(data?.detail || "");
}

export async function api(path, { method = "GET", body, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  let response;
  try {
    response = await fetch(path, {
      method, headers, signal, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, FALLBACK[0]);
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (sessionExpired(response.status, data)) window.location.assign(`/login/?next=${encodeURIComponent(location.pathname)}`);
  if (!response.ok) throw new ApiError(response.status, errorText(response.status, data), data);
  return data;
}

// XMLHttpRequest, not fetch: only XHR reports upload progress.
export function upload(file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/attachments/");
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, FALLBACK[0]));
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { /* an HTML error page */ }
      if (xhr.status === 201) return resolve(data);
      reject(new ApiError(xhr.status, uploadError(file, xhr.status, data), data));
    };
    const form = new FormData();
    form.append("file", file);
    xhr.send(form);
  });
}

function uploadError(file, status, data) {
  if (status === 413) return `“${file.name}” is too large to send.`;
  if (status === 415) return `“${file.name}” can't be sent: only documents (PDF, Word, Excel, PowerPoint, text) and images are allowed.`;
  return `“${file.name}” was not uploaded: ${errorText(status, data)}`;
}
