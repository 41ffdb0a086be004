// `npm run server:audit-verify`: chains any unchained audit entries, then recomputes the whole chain of
// the service's audit log and names the first broken entry. Exit 0 when intact, 1 when broken.
// DATABASE_URL (real PostgreSQL) or DATA_DIR (embedded default, DATA_DIR/server/pg).

import path from 'node:path';
import { chainAudit, verifyAuditChain } from '../server/audit.js';
import { openDatabase } from '../server/db/database.js';

const databaseUrl = process.env.DATABASE_URL || undefined;
const db = await openDatabase({
  databaseUrl,
  dataDir: databaseUrl ? undefined : path.join(path.resolve(process.env.DATA_DIR ?? '.data'), 'server', 'pg'),
});
try {
  await chainAudit(db);
  const v = await verifyAuditChain(db);
  if (v.ok) {
    console.log(`Nhật ký kiểm toán nguyên vẹn: ${v.entries} mục, chuỗi băm khớp.`);
  } else {
    console.log(
      `Nhật ký kiểm toán BỊ SỬA: mục đầu tiên hỏng là mục số ${v.firstBroken.seq} (id ${v.firstBroken.id}): ${v.firstBroken.reason}. ${v.entries} mục trước đó khớp.`,
    );
    process.exitCode = 1;
  }
} finally {
  await db.close();
}
