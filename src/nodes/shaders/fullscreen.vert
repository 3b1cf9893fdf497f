#version 460
// One triangle that covers the viewport (vertices 0, 1, 2 at clip (-1,-1), (3,-1), (-1,3)):
// no vertex buffer, and no seam along a diagonal as two triangles would have.

void main() {
    const vec2 corner = vec2((gl_VertexIndex << 1) & 2, gl_VertexIndex & 2);
    gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
