// The service's reading of a multi-host DATABASE_URL (libpq's form): one single-host URL per server,
// in order, credentials and options kept, target_session_attrs taken out and understood.
import { describe, expect, it } from 'vitest';
import { isConnectionError, parseHosts } from '../../../server/db/database.js';

describe('parseHosts', () => {
  it('splits the hosts of a primary and its replica, keeping user, password, database and options', () => {
    expect(
      parseHosts(
        'postgres://bhxh:mật@db1:5432,db2:5433/bhxh?target_session_attrs=read-write&sslmode=require',
      ),
    ).toEqual({
      urls: [
        'postgres://bhxh:mật@db1:5432/bhxh?sslmode=require',
        'postgres://bhxh:mật@db2:5433/bhxh?sslmode=require',
      ],
      attrs: 'read-write',
    });
  });

  it('asks for a primary by default when several hosts are listed, and for any server with one', () => {
    expect(parseHosts('postgresql://u@a:1,b:2/db').attrs).toBe('read-write');
    expect(parseHosts('postgres://u@a:1/db')).toEqual({ urls: ['postgres://u@a:1/db'], attrs: 'any' });
  });

  it('understands the other attributes a read URL may carry', () => {
    expect(parseHosts('postgres://u@a:1,b:2/db?target_session_attrs=prefer-standby').attrs).toBe(
      'prefer-standby',
    );
    expect(parseHosts('postgres://u@a:1,b:2/db?target_session_attrs=any').attrs).toBe('any');
    expect(parseHosts('postgres://u@a:1,b:2/db?target_session_attrs=primary').attrs).toBe('read-write');
  });

  it('leaves what is not a postgres URL as it is', () => {
    expect(parseHosts('host=/run/postgresql dbname=bhxh')).toEqual({
      urls: ['host=/run/postgresql dbname=bhxh'],
      attrs: 'any',
    });
  });
});

describe('isConnectionError', () => {
  it('tells a lost or read-only server from an error of the statement', () => {
    expect(isConnectionError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' })).toBe(
      true,
    );
    expect(
      isConnectionError({ code: '57P01', message: 'terminating connection due to administrator command' }),
    ).toBe(true);
    expect(
      isConnectionError({ code: '25006', message: 'cannot execute UPDATE in a read-only transaction' }),
    ).toBe(true);
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(
      isConnectionError({ code: '23505', message: 'duplicate key value violates unique constraint' }),
    ).toBe(false);
    expect(isConnectionError({ code: '40P01', message: 'deadlock detected' })).toBe(false);
    expect(isConnectionError(null)).toBe(false);
    // a full pool is an overloaded server, not a lost one: its pool is kept
    expect(isConnectionError(new Error('timeout exceeded when trying to connect'))).toBe(false);
  });
});
