// @ts-check
// Named prepared statements on PGlite, which has none of its own: its query() parses, describes and plans every
// statement on every call, and planning a statement over every month's partitions costs more than running it. Here
// a statement named by `prepareAs` is parsed once per session through the wire protocol (Parse, Describe); later calls
// only Bind and Execute it, and Postgres plans it as any prepared statement: custom plans for the first five
// executions, then its generic plan unless that costs more. Parameters and rows go through PGlite's own serializers
// and parseResults, as in query(), so both paths give the same JavaScript values. Callers hold PGlite's query lock
// (see pglite-thread.mjs).
import { parse, protocol } from "@electric-sql/pglite";

/** @typedef {import("@electric-sql/pglite").PGlite} PGlite */
/** @typedef {Parameters<typeof parse.parseResults>[0][number]} BackendMessage */
/** @typedef {{ sql: string, paramTypes: number[], rowDescription: BackendMessage | undefined }} Prepared */

const { serialize } = protocol;
const BYTEA = 17;

/**
 * SQLSTATEs that mean the session's statement is no longer the one we prepared: "cached plan must not change result
 * type" (0A000, a table recreated with other columns; Postgres re-plans by itself only when the result type stays)
 * and "prepared statement does not exist" (26000, after DEALLOCATE or DISCARD ALL).
 */
const STALE_STATEMENT = new Set(["0A000", "26000"]);

/** @param {PGlite} db */
export function preparedStatements(db) {
  /** Keyed by name; the SQL is kept to prepare the name again should it ever come with another text. */
  /** @type {Map<string, Prepared>} */
  const statements = new Map();

  /** @param {string} name @param {string} sql @returns {Promise<Prepared>} */
  async function prepare(name, sql) {
    statements.delete(name);
    // Close first: a statement of that name may outlive our record of it (a failed execution that forgot it). Closing
    // a name that does not exist is no error. One round trip, ended by Sync so that a failure leaves the session ready.
    const described = await send(
      serialize.close({ type: "S", name }),
      serialize.parse({ name, text: sql }),
      serialize.describe({ type: "S", name }),
      serialize.sync(),
    );
    /** @type {Prepared} */
    const prepared = {
      sql,
      paramTypes: parse.parseDescribeStatementResults(described),
      rowDescription: described.find((message) => message.name === "rowDescription"),
    };
    statements.set(name, prepared);
    return prepared;
  }

  /** @param {string} name @param {Prepared} prepared @param {readonly unknown[]} params */
  async function execute(name, prepared, params) {
    // As PGlite's query() does: the serializer of the described parameter type, else the value's text. Bytes for a
    // bytea go as they are, in the binary format: PGlite's serializer spells each byte out in hex, one at a time.
    const values = params.map((value, index) => {
      if (value === null || value === undefined) return null;
      if (prepared.paramTypes[index] === BYTEA && value instanceof Uint8Array) return value;
      const serializer = db.serializers[/** @type {number} */ (prepared.paramTypes[index])];
      return serializer ? serializer(value) : String(value);
    });
    const messages = await send(serialize.bind({ statement: name, values }), serialize.execute({}), serialize.sync());
    // Describe Statement gave the row description once; parseResults reads it before the rows, as after Describe Portal.
    const described = prepared.rowDescription ? [prepared.rowDescription, ...messages] : messages;
    return parse.parseResults(described, db.parsers)[0]?.rows ?? [];
  }

  /** @param {Uint8Array[]} parts */
  async function send(...parts) {
    const message = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      message.set(part, offset);
      offset += part.length;
    }
    // Written to the file system by the caller, once its statement or transaction is done, as query() does.
    return db.execProtocolStream(message, { syncToFs: false });
  }

  return {
    /**
     * Runs the named statement, preparing it on first use. A statement gone stale is prepared again and run once
     * more, unless `inTransaction`: the failure has aborted the transaction, so it is only forgotten.
     * @param {string} name @param {string} sql @param {readonly unknown[]} params @param {boolean} inTransaction
     */
    async query(name, sql, params, inTransaction) {
      const cached = statements.get(name);
      const prepared = cached?.sql === sql ? cached : await prepare(name, sql);
      try {
        return await execute(name, prepared, params);
      } catch (error) {
        const code = /** @type {{ code?: unknown }} */ (error).code;
        if (!(typeof code === "string" && STALE_STATEMENT.has(code)) || prepared !== cached) throw error;
        statements.delete(name);
        if (inTransaction) throw error;
        return execute(name, await prepare(name, sql), params);
      }
    },
  };
}
