// JSON-RPC over the edge's websocket (the OpenEMS UI protocol), with reconnects. The same
// protocol reaches an edge through a fleet backend: there the page is /edges/<id>/ and the
// requests name that edge; on the edge itself the page is / and the edge is "0".

export class RpcError extends Error {
  constructor(error) {
    super(error.message || 'error');
    this.code = error.code;
  }
}

export class EdgeSocket extends EventTarget {
  constructor(url, edgeId = '0') {
    super();
    this.url = url;
    this.edgeId = edgeId;
    this.pending = new Map();
    this.nextId = 1;
    this.ws = null;
    this.opening = null;
    this.retry = 500;
  }

  open() {
    if (this.opening) return this.opening;
    this.opening = new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      let opened = false;
      ws.onopen = () => {
        opened = true;
        this.ws = ws;
        this.retry = 500;
        resolve();
      };
      ws.onmessage = (event) => this.receive(event.data);
      ws.onclose = () => {
        if (!opened) reject(new RpcError({ code: -1, message: 'connection failed' }));
        this.lost(opened);
      };
    });
    return this.opening;
  }

  lost(wasOpen) {
    this.ws = null;
    this.opening = null;
    for (const waiting of this.pending.values()) {
      waiting.reject(new RpcError({ code: -1, message: 'connection lost' }));
    }
    this.pending.clear();
    if (wasOpen) this.dispatchEvent(new Event('offline'));
    setTimeout(() => {
      this.open()
        .then(() => this.dispatchEvent(new Event('reconnect')))
        .catch(() => {});
    }, this.retry);
    this.retry = Math.min(this.retry * 2, 10000);
  }

  async request(method, params = {}) {
    // never opens a second socket: while offline the retry timer owns reconnecting
    if (!this.ws) throw new RpcError({ code: -1, message: 'offline' });
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  // a request to this page's edge, wrapped in edgeRpc; resolves with the inner result
  async edge(method, params = {}) {
    const payload = { jsonrpc: '2.0', id: `edge-${this.nextId}`, method, params };
    const result = await this.request('edgeRpc', { edgeId: this.edgeId, payload });
    return result.payload.result;
  }

  async component(componentId, method, params = {}) {
    return this.edge('componentJsonApi', { componentId, payload: { method, params } });
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    const waiting = message.id === undefined ? null : this.pending.get(String(message.id));
    if (waiting) {
      this.pending.delete(String(message.id));
      if (message.error) waiting.reject(new RpcError(message.error));
      else waiting.resolve(message.result);
    } else if (message.method === 'edgeRpc' && message.params && message.params.payload
               && (message.params.edgeId === undefined || message.params.edgeId === this.edgeId)) {
      const payload = message.params.payload;
      this.dispatchEvent(new CustomEvent(payload.method, { detail: payload.params }));
    }
  }
}
