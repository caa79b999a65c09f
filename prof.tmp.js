const { parseCsvUpload } = require('./dist/libs/mac/src');
const { copyRowsOf } = require('./dist/apps/mac-pool/src/uploads/copy-rows');
const n = 1000000;
const lines = [];
for (let i = 0; i < n; i++) { const h = (0x0a * 2 ** 40 + i).toString(16).padStart(12, '0'); lines.push(`${h.match(/../g).join(':')},host-${i}.bench.example,rack ${i % 40}`); }
const csv = Buffer.from('mac,hostname,description\n' + lines.join('\n'));
const chunks = []; for (let i = 0; i < csv.length; i += 65536) chunks.push(csv.subarray(i, i + 65536));
(async () => {
  let t = performance.now(); let c = 0;
  for await (const b of parseCsvUpload(chunks, { allowUniversal: false, maxRangeSize: 1e6 })) c += b.length;
  console.log('parse', Math.round(performance.now() - t), c);
  t = performance.now(); c = 0;
  for await (const b of parseCsvUpload(chunks, { allowUniversal: false, maxRangeSize: 1e6 })) { let buf = []; for (const p of b) for (const r of copyRowsOf(p.entry)) buf.push(r); c += buf.join('').length; }
  console.log('parse+rows', Math.round(performance.now() - t), c);
})();
