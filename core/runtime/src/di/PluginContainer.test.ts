import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PlugboardError } from '@plugboard/plugin-api';
import { coreServices } from '@plugboard/plugin-api';
import { ServiceRegistry } from '../services/ServiceRegistry.js';
import { serviceRef } from '@plugboard/plugin-api';
import { contextTokens } from '@plugboard/plugin-api';
import { inject, injectable } from '@plugboard/plugin-api';
import { PluginContainer } from './PluginContainer.js';

interface Writer {
  write(text: string): string;
}
interface Reader {
  read(): string;
}

const writerRef = serviceRef<Writer>('conversations.writer');
const readerRef = serviceRef<Reader>('metrics.reader');
const undeclaredMessage =
  "Plugin 'alerts' used service 'conversations.writer' without declaring it. Add it to 'consumes' in the plugin's definePlugin({...}).";

function setup(declared: string[], values?: Map<symbol, unknown>) {
  const registry = new ServiceRegistry({ logger: pino({ level: 'silent' }) });
  const scope = new PluginContainer({
    plugin: 'alerts',
    registry,
    declared: new Set(declared),
    knownRefIds: [writerRef.id, readerRef.id, coreServices.database.id],
    ...(values ? { values } : {}),
  });
  return { registry, scope };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

@injectable()
class WriterUser {
  constructor(@inject(writerRef) readonly writer: Writer) {}
}

@injectable()
class Settings {
  constructor(@inject(contextTokens.config) readonly config: { threshold: number }) {}
}

@injectable()
class Engine {
  constructor(
    @inject(Settings) readonly settings: Settings,
    @inject(readerRef) readonly reader: Reader,
  ) {}
}

@injectable()
class Mistyped {
  constructor(@inject('metrics.typo') readonly reader: Reader) {}
}

describe('PluginContainer.get', () => {
  it('returns the registry live handle of a declared ref and of core refs', () => {
    const { registry, scope } = setup([writerRef.id]);
    expect(scope.get(writerRef)).toBe(registry.handle(writerRef));
    expect(scope.get(coreServices.database)).toBe(registry.handle(coreServices.database));
  });

  it('throws serviceUndeclared for a ref the plugin did not declare', () => {
    const { scope } = setup([readerRef.id]);
    const error = thrown(() => scope.get(writerRef));
    expect(PlugboardError.is(error, 'serviceUndeclared')).toBe(true);
    expect((error as Error).message).toBe(undeclaredMessage);
  });
});

describe('PluginContainer.create', () => {
  it('injects a live handle that follows provider swaps', () => {
    const { registry, scope } = setup([writerRef.id]);
    const user = scope.create(WriterUser);
    registry.register(writerRef, { write: (t) => `direct:${t}` }, { owner: 'conversations' });
    expect(user.writer.write('a')).toBe('direct:a');
    const batched = registry.register(writerRef, { write: (t) => `batched:${t}` }, { owner: 'batching', ranking: 10 });
    expect(user.writer.write('b')).toBe('batched:b');
    void batched.unregister();
    expect(user.writer.write('c')).toBe('direct:c');
    expect(user.writer).toBe(registry.handle(writerRef));
  });

  it('fails with our message when a class injects a known ref the plugin did not declare', () => {
    const { scope } = setup([readerRef.id]);
    const error = thrown(() => scope.create(WriterUser));
    expect(PlugboardError.is(error, 'serviceUndeclared')).toBe(true);
    expect((error as Error).message).toBe(undeclaredMessage);
  });

  it('fails with serviceUndeclared naming the plugin and id when @inject names an unknown id', () => {
    const { scope } = setup([readerRef.id]);
    const error = thrown(() => scope.create(Mistyped));
    expect(PlugboardError.is(error, 'serviceUndeclared')).toBe(true);
    expect((error as Error).message).toBe(
      "Plugin 'alerts' injects 'metrics.typo' into 'Mistyped', but no plugin declares a service with that id and core has none. Check the id given to @inject, or enable the plugin that provides it and add its ref to 'consumes'.",
    );
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(((error as Error).cause as Error).message).toContain('metrics.typo');
  });

  it('injects values bound by context token', () => {
    const config = { threshold: 3 };
    const { scope } = setup([], new Map([[contextTokens.config, config]]));
    expect(scope.create(Settings).config).toBe(config);
  });

  it('keeps one instance per class within a scope, shared with classes that inject it', () => {
    const values = new Map([[contextTokens.config, { threshold: 1 }]]);
    const { scope } = setup([readerRef.id], values);
    const settings = scope.create(Settings);
    expect(scope.create(Settings)).toBe(settings);
    const engine = scope.create(Engine);
    expect(engine.settings).toBe(settings);
    expect(scope.create(Engine)).toBe(engine);

    const other = setup([readerRef.id], values).scope;
    expect(other.create(Settings)).not.toBe(settings);
  });
});

describe('inject', () => {
  it('accepts a ref, a raw id or a symbol', () => {
    const token = Symbol('token');
    @injectable()
    class Mixed {
      constructor(
        @inject('metrics.reader') readonly byId: Reader,
        @inject(token) readonly bySymbol: string,
      ) {}
    }
    const { registry, scope } = setup([readerRef.id], new Map([[token, 'value']]));
    const mixed = scope.create(Mixed);
    expect(mixed.byId).toBe(registry.handle(readerRef));
    expect(mixed.bySymbol).toBe('value');
  });
});
