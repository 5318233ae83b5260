/**
 * Preloaded into the overhead bench's `context` server (NODE_OPTIONS="--import <this file>"): an
 * AsyncLocalStorage holding one store for the whole process, so Node's promise hooks run for every
 * promise the server makes and copy that store onto it, as they do under OpenTelemetry's context
 * manager. No span, no metric: what the propagation of a context alone costs on this Node, the
 * floor under any tracing that parents a query's span on its request's.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage();
storage.enterWith({ floor: true });
// Held, so the storage (and its hooks) live as long as the process.
globalThis.__benchContextFloor = storage;
