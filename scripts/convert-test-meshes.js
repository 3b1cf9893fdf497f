// Writes a mesh npm package's `positions` and `cells` as the files the importer tests read:
// NAME.obj, NAME.ply (binary little-endian) and NAME.ascii.ply.gz, into OUT_DIR.
// Usage: node convert-test-meshes.js MODULE_FILE NAME OUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const [moduleFile, name, outDir] = process.argv.slice(2);
const mesh = require(path.resolve(moduleFile));
const positions = mesh.positions;
const cells = mesh.cells;

const obj = ['# ' + name + ' from the npm package, converted by scripts/convert-test-meshes.js'];
for (const p of positions) obj.push('v ' + p.join(' '));
for (const c of cells) obj.push('f ' + c.map((i) => i + 1).join(' '));
fs.writeFileSync(path.join(outDir, name + '.obj'), obj.join('\n') + '\n');

const header = (format) =>
  'ply\nformat ' + format + ' 1.0\nelement vertex ' + positions.length +
  '\nproperty float x\nproperty float y\nproperty float z\nelement face ' + cells.length +
  '\nproperty list uchar int vertex_indices\nend_header\n';

const ascii = [header('ascii')];
for (const p of positions) ascii.push(p.join(' ') + '\n');
for (const c of cells) ascii.push(c.length + ' ' + c.join(' ') + '\n');
fs.writeFileSync(path.join(outDir, name + '.ascii.ply.gz'), zlib.gzipSync(ascii.join('')));

const faceBytes = cells.reduce((sum, c) => sum + 1 + 4 * c.length, 0);
const body = Buffer.alloc(12 * positions.length + faceBytes);
let at = 0;
for (const p of positions) {
  for (const v of p) at = body.writeFloatLE(v, at);
}
for (const c of cells) {
  at = body.writeUInt8(c.length, at);
  for (const i of c) at = body.writeInt32LE(i, at);
}
fs.writeFileSync(path.join(outDir, name + '.ply'),
                 Buffer.concat([Buffer.from(header('binary_little_endian')), body]));
