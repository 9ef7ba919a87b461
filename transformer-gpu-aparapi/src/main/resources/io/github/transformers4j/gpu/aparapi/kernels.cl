// The device kernels of the 'aparapi' backend, one OpenCL C program built once per backend.
// Conventions: every tensor is a contiguous row-major buffer; shapes and strides of rank <= 8 come
// in as int8 arguments (no metadata buffer, so no transfer per launch); row kernels run one
// work-group of GROUP threads per row and reduce in local memory. Barriers sit only in code that
// every work-item of the group reaches.

#define GROUP 64
#define MAX_HS 256

// ---- index helpers ------------------------------------------------------------------------------

// Offset of element i (row-major over dims[0..rank)) under the strides s.
inline int strided_offset(int i, const int* dims, const int* s, int rank) {
  int off = 0;
  for (int d = rank - 1; d >= 0; d--) {
    int dim = dims[d];
    off += (i % dim) * s[d];
    i /= dim;
  }
  return off;
}

// ---- memory and layout --------------------------------------------------------------------------

__kernel void fill_f(__global float* y, float v, int n) {
  int i = get_global_id(0);
  if (i < n) y[i] = v;
}

// y[yoff + pos·ys] = x[xoff + pos·xs] for every position pos of dims: permute, slice, concat,
// broadcastTo (a zero stride repeats) are all this copy with other strides.
__kernel void copy_strided(__global const float* x, int xoff, int8 xs8, __global float* y,
                           int yoff, int8 ys8, int8 dims8, int rank, int n) {
  int i = get_global_id(0);
  if (i >= n) return;
  int dims[8]; int xs[8]; int ys[8];
  vstore8(dims8, 0, dims); vstore8(xs8, 0, xs); vstore8(ys8, 0, ys);
  int xo = xoff;
  int yo = yoff;
  for (int d = rank - 1; d >= 0; d--) {
    int p = i % dims[d];
    i /= dims[d];
    xo += p * xs[d];
    yo += p * ys[d];
  }
  y[yo] = x[xo];
}

// ---- elementwise --------------------------------------------------------------------------------

inline float binary_op(int op, float u, float v) {
  switch (op) {
    case 0: return u + v;
    case 1: return u - v;
    case 2: return u * v;
    default: return u / v;
  }
}

// y = a op b with broadcasting: sa, sb are the operands' strides aligned to the output's axes
// (0 along a broadcast axis). flat: both operands have the output's shape.
__kernel void binary(int op, __global const float* a, int8 sa8, __global const float* b, int8 sb8,
                     int8 dims8, int rank, int flat, __global float* y, int n) {
  int i = get_global_id(0);
  if (i >= n) return;
  if (flat) {
    y[i] = binary_op(op, a[i], b[i]);
    return;
  }
  int dims[8]; int sa[8]; int sb[8];
  vstore8(dims8, 0, dims); vstore8(sa8, 0, sa); vstore8(sb8, 0, sb);
  int ia = 0;
  int ib = 0;
  int r = i;
  for (int d = rank - 1; d >= 0; d--) {
    int p = r % dims[d];
    r /= dims[d];
    ia += p * sa[d];
    ib += p * sb[d];
  }
  y[i] = binary_op(op, a[ia], b[ib]);
}

__kernel void unary(int op, __global const float* x, __global float* y, int n) {
  int i = get_global_id(0);
  if (i >= n) return;
  float v = x[i];
  float r;
  switch (op) {
    case 0: r = -v; break;
    case 1: r = exp(v); break;
    case 2: r = log(v); break;
    case 3: r = sqrt(v); break;
    case 4: r = v * v; break;
    default: r = fabs(v); break;
  }
  y[i] = r;
}

__kernel void affine(__global const float* x, __global float* y, float scale, float shift, int n) {
  int i = get_global_id(0);
  if (i < n) y[i] = x[i] * scale + shift;
}

inline float sigm(float v) { return 1.0f / (1.0f + exp(-v)); }

// The standard normal CDF, erfc-based so that it stays accurate in relative terms in both tails.
inline float normal_cdf(float v) { return 0.5f * erfc(-v * 0.70710678118654752f); }

inline float activate(int f, float v) {
  switch (f) {
    case 0: return fmax(v, 0.0f);
    case 1: return v * normal_cdf(v);
    // 0.5·v·(1 + tanh u) = v·σ(2u), without the cancellation of 1 + tanh u for v << 0
    case 2: return v * sigm(2.0f * 0.7978845608f * (v + 0.044715f * v * v * v));
    case 3: return v * sigm(v);
    case 4: return tanh(v);
    default: return sigm(v);
  }
}

inline float derivative(int f, float v) {
  switch (f) {
    case 0: return v > 0.0f ? 1.0f : 0.0f;
    case 1: return normal_cdf(v) + v * exp(-0.5f * v * v) * 0.3989422804f;
    case 2: {
      float u2 = 2.0f * 0.7978845608f * (v + 0.044715f * v * v * v);
      float s = sigm(u2);
      float du = 0.7978845608f * (1.0f + 3.0f * 0.044715f * v * v);
      return s + 2.0f * v * s * sigm(-u2) * du;
    }
    case 3: { float s = sigm(v); return s * (1.0f + v * sigm(-v)); }
    // 1 − tanh²v = 4·σ(2v)·σ(−2v), accurate where tanh v rounds to ±1
    case 4: return 4.0f * sigm(2.0f * v) * sigm(-2.0f * v);
    default: return sigm(v) * sigm(-v);
  }
}

__kernel void activation(int f, __global const float* x, __global float* y, int n) {
  int i = get_global_id(0);
  if (i < n) y[i] = activate(f, x[i]);
}

__kernel void activation_backward(int f, __global const float* x, __global const float* dy,
                                  __global float* y, int n) {
  int i = get_global_id(0);
  if (i < n) y[i] = dy[i] * derivative(f, x[i]);
}

// ---- matmul -------------------------------------------------------------------------------------

#define TILE 16

// c = op(a)·op(b) (+ bias per column), batched: one TILE×TILE work-group per TILE×TILE block of c,
// tiles of a and b staged in local memory. Global (ceil(N), ceil(M), batch), local (TILE, TILE, 1).
__kernel void matmul(__global const float* a, __global const float* b, __global float* c,
                     __global const float* bias, int hasBias, int m, int n, int k, int ta, int tb,
                     int strideA, int strideB) {
  __local float tileA[TILE][TILE + 1];
  __local float tileB[TILE][TILE + 1];
  int col = get_global_id(0);
  int row = get_global_id(1);
  int batch = get_global_id(2);
  int lx = get_local_id(0);
  int ly = get_local_id(1);
  __global const float* pa = a + (long) batch * strideA;
  __global const float* pb = b + (long) batch * strideB;
  float acc = 0.0f;
  int tiles = (k + TILE - 1) / TILE;
  for (int t = 0; t < tiles; t++) {
    int ka = t * TILE + lx;
    float va = 0.0f;
    if (row < m && ka < k) va = ta ? pa[ka * m + row] : pa[row * k + ka];
    tileA[ly][lx] = va;
    int kb = t * TILE + ly;
    float vb = 0.0f;
    if (col < n && kb < k) vb = tb ? pb[col * k + kb] : pb[kb * n + col];
    tileB[ly][lx] = vb;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int p = 0; p < TILE; p++) acc += tileA[ly][p] * tileB[p][lx];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (row < m && col < n) {
    if (hasBias) acc += bias[col];
    c[(long) batch * m * n + row * n + col] = acc;
  }
}

// ---- matmul, register-blocked -----------------------------------------------------------------
// The same product as matmul, for large operands: a 16×16 work-group computes a 64×64 block of c,
// each thread 4×4 outputs (rows ly + 16·i, columns lx + 16·j: neighbouring threads touch
// neighbouring addresses in local and global memory), from K-slices of 16 staged in local memory.
// Global (ceil64(N)/4, ceil64(M)/4, batch), local (16, 16, 1).

#define BT 64
#define BK 16

__kernel void matmul64(__global const float* a, __global const float* b, __global float* c,
                       __global const float* bias, int hasBias, int m, int n, int k, int ta,
                       int tb, int strideA, int strideB) {
  __local float As[BK][BT + 1];
  __local float Bs[BK][BT + 1];
  int lx = get_local_id(0);
  int ly = get_local_id(1);
  int tid = ly * 16 + lx;
  int row0 = get_group_id(1) * BT;
  int col0 = get_group_id(0) * BT;
  int batch = get_global_id(2);
  __global const float* pa = a + (long) batch * strideA;
  __global const float* pb = b + (long) batch * strideB;
  float acc[4][4];
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) acc[i][j] = 0.0f;
  for (int k0 = 0; k0 < k; k0 += BK) {
    for (int l = 0; l < 4; l++) {
      int idx = tid + l * 256;
      // A tile (BT rows × BK): read along the contiguous axis of a
      int r;
      int kk;
      if (ta) { kk = idx / BT; r = idx % BT; } else { r = idx / BK; kk = idx % BK; }
      int gr = row0 + r;
      int gk = k0 + kk;
      float va = 0.0f;
      if (gr < m && gk < k) va = ta ? pa[(long) gk * m + gr] : pa[(long) gr * k + gk];
      As[kk][r] = va;
      // B tile (BK × BT columns): read along the contiguous axis of b
      int cc;
      int kb;
      if (tb) { cc = idx / BK; kb = idx % BK; } else { kb = idx / BT; cc = idx % BT; }
      int gc = col0 + cc;
      int gkb = k0 + kb;
      float vb = 0.0f;
      if (gc < n && gkb < k) vb = tb ? pb[(long) gc * k + gkb] : pb[(long) gkb * n + gc];
      Bs[kb][cc] = vb;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int kk = 0; kk < BK; kk++) {
      float ar[4];
      float br[4];
      for (int i = 0; i < 4; i++) ar[i] = As[kk][ly + 16 * i];
      for (int j = 0; j < 4; j++) br[j] = Bs[kk][lx + 16 * j];
      for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) acc[i][j] += ar[i] * br[j];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  for (int i = 0; i < 4; i++) {
    int gr = row0 + ly + 16 * i;
    if (gr >= m) continue;
    for (int j = 0; j < 4; j++) {
      int gc = col0 + lx + 16 * j;
      if (gc < n) {
        float v = acc[i][j];
        if (hasBias) v += bias[gc];
        c[(long) batch * m * n + (long) gr * n + gc] = v;
      }
    }
  }
}

// ---- reductions ---------------------------------------------------------------------------------

// x viewed as (outer, len, inner): one thread per (outer, inner) output. op: 0 sum, 1 mean, 2 max.
__kernel void reduce_axis(int op, __global const float* x, __global float* y, int outer, int len,
                          int inner) {
  int i = get_global_id(0);
  if (i >= outer * inner) return;
  int o = i / inner;
  int in = i % inner;
  __global const float* p = x + (long) o * len * inner + in;
  float acc = op == 2 ? -INFINITY : 0.0f;
  for (int l = 0; l < len; l++) {
    float v = p[(long) l * inner];
    acc = op == 2 ? fmax(acc, v) : acc + v;
  }
  if (op == 1) acc /= len;
  y[i] = acc;
}

// ---- row kernels: softmax, log-softmax, norms, cross-entropy --------------------------------------

inline float group_sum(__local float* red, int lid, float v) {
  red[lid] = v;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int s = GROUP / 2; s > 0; s >>= 1) {
    if (lid < s) red[lid] += red[lid + s];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  float r = red[0];
  barrier(CLK_LOCAL_MEM_FENCE);
  return r;
}

inline float group_max(__local float* red, int lid, float v) {
  red[lid] = v;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int s = GROUP / 2; s > 0; s >>= 1) {
    if (lid < s) red[lid] = fmax(red[lid], red[lid + s]);
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  float r = red[0];
  barrier(CLK_LOCAL_MEM_FENCE);
  return r;
}

// Softmax of x + mask over rows of cols; the mask's strides ms are aligned to x's dims (0 along
// broadcast axes); causal: query q of the last-but-one axis sees keys j <= q + cols − tq.
// A row that sees nothing is written as zeros.
__kernel void softmax(__global const float* x, __global const float* mask, int8 ms8, int8 dims8,
                      int rank, int hasMask, int causal, int tq, int cols, __global float* y) {
  __local float red[GROUP];
  int row = get_group_id(0);
  int lid = get_local_id(0);
  long base = (long) row * cols;
  int visible = cols;
  if (causal) visible = clamp(row % tq + cols - tq + 1, 0, cols);
  int moff = 0;
  int mlast = 0;
  if (hasMask) {
    int dims[8]; int ms[8];
    vstore8(dims8, 0, dims); vstore8(ms8, 0, ms);
    int rem = row;
    for (int d = rank - 2; d >= 0; d--) {
      moff += (rem % dims[d]) * ms[d];
      rem /= dims[d];
    }
    mlast = ms[rank - 1];
  }
  float mx = -INFINITY;
  for (int j = lid; j < visible; j += GROUP) {
    float v = x[base + j] + (hasMask ? mask[moff + j * mlast] : 0.0f);
    mx = fmax(mx, v);
  }
  float rowMax = group_max(red, lid, mx);
  float shift = rowMax == -INFINITY ? 0.0f : rowMax;
  float s = 0.0f;
  for (int j = lid; j < visible; j += GROUP) {
    float v = x[base + j] + (hasMask ? mask[moff + j * mlast] : 0.0f);
    s += exp(v - shift);
  }
  float sum = group_sum(red, lid, s);
  for (int j = lid; j < cols; j += GROUP) {
    float r = 0.0f;
    if (j < visible && sum > 0.0f) {
      float v = x[base + j] + (hasMask ? mask[moff + j * mlast] : 0.0f);
      r = exp(v - shift) / sum;
    }
    y[base + j] = r;
  }
}

__kernel void softmax_backward(__global const float* y, __global const float* dy,
                               __global float* dx, int cols) {
  __local float red[GROUP];
  int lid = get_local_id(0);
  long base = (long) get_group_id(0) * cols;
  float s = 0.0f;
  for (int j = lid; j < cols; j += GROUP) s += dy[base + j] * y[base + j];
  float dot = group_sum(red, lid, s);
  for (int j = lid; j < cols; j += GROUP) dx[base + j] = y[base + j] * (dy[base + j] - dot);
}

__kernel void log_softmax(__global const float* x, __global float* y, int cols) {
  __local float red[GROUP];
  int lid = get_local_id(0);
  long base = (long) get_group_id(0) * cols;
  float mx = -INFINITY;
  for (int j = lid; j < cols; j += GROUP) mx = fmax(mx, x[base + j]);
  float rowMax = group_max(red, lid, mx);
  float s = 0.0f;
  for (int j = lid; j < cols; j += GROUP) s += exp(x[base + j] - rowMax);
  float lse = rowMax + log(group_sum(red, lid, s));
  for (int j = lid; j < cols; j += GROUP) y[base + j] = x[base + j] - lse;
}

__kernel void log_softmax_backward(__global const float* y, __global const float* dy,
                                   __global float* dx, int cols) {
  __local float red[GROUP];
  int lid = get_local_id(0);
  long base = (long) get_group_id(0) * cols;
  float s = 0.0f;
  for (int j = lid; j < cols; j += GROUP) s += dy[base + j];
  float sum = group_sum(red, lid, s);
  for (int j = lid; j < cols; j += GROUP) dx[base + j] = dy[base + j] - exp(y[base + j]) * sum;
}

// Layer norm (rms == 0: (x − mean)/σ·γ + β) or RMS norm (rms == 1: x/rms·γ, β unused) of one row.
__kernel void norm_forward(int rms, __global const float* x, __global const float* g,
                           __global const float* b, __global float* y, int c, float eps) {
  __local float red[GROUP];
  int lid = get_local_id(0);
  long base = (long) get_group_id(0) * c;
  float mean = 0.0f;
  if (!rms) {
    float s = 0.0f;
    for (int j = lid; j < c; j += GROUP) s += x[base + j];
    mean = group_sum(red, lid, s) / c;
  }
  float s2 = 0.0f;
  for (int j = lid; j < c; j += GROUP) { float d = x[base + j] - mean; s2 += d * d; }
  float rstd = rsqrt(group_sum(red, lid, s2) / c + eps);
  for (int j = lid; j < c; j += GROUP) {
    float v = (x[base + j] - mean) * rstd * g[j];
    y[base + j] = rms ? v : v + b[j];
  }
}

// dx of layer norm or RMS norm for one row, and the row's (mean, 1/σ) into stats.
__kernel void norm_backward_dx(int rms, __global const float* x, __global const float* g,
                               __global const float* dy, __global float* dx,
                               __global float* stats, int c, float eps) {
  __local float red[GROUP];
  int lid = get_local_id(0);
  int row = get_group_id(0);
  long base = (long) row * c;
  float mean = 0.0f;
  if (!rms) {
    float s = 0.0f;
    for (int j = lid; j < c; j += GROUP) s += x[base + j];
    mean = group_sum(red, lid, s) / c;
  }
  float s2 = 0.0f;
  for (int j = lid; j < c; j += GROUP) { float d = x[base + j] - mean; s2 += d * d; }
  float rstd = rsqrt(group_sum(red, lid, s2) / c + eps);
  // layer norm: Σ g·dy and Σ g·dy·x̂; RMS: Σ g·dy·x (the first sum unused)
  float a = 0.0f;
  float bsum = 0.0f;
  for (int j = lid; j < c; j += GROUP) {
    float gd = dy[base + j] * g[j];
    a += gd;
    bsum += rms ? gd * x[base + j] : gd * (x[base + j] - mean) * rstd;
  }
  float sumG = group_sum(red, lid, a);
  float sumGx = group_sum(red, lid, bsum);
  for (int j = lid; j < c; j += GROUP) {
    float gd = dy[base + j] * g[j];
    float r;
    if (rms) {
      r = rstd * gd - x[base + j] * rstd * rstd * rstd * sumGx / c;
    } else {
      float xhat = (x[base + j] - mean) * rstd;
      r = rstd * (gd - sumG / c - xhat * sumGx / c);
    }
    dx[base + j] = r;
  }
  if (lid == 0) {
    stats[2 * row] = mean;
    stats[2 * row + 1] = rstd;
  }
}

// dgamma (and dbeta for layer norm) by column, summing the rows in order: one thread per column.
__kernel void norm_backward_params(int rms, __global const float* x, __global const float* dy,
                                   __global const float* stats, __global float* dg,
                                   __global float* db, int rows, int c) {
  int j = get_global_id(0);
  if (j >= c) return;
  float sg = 0.0f;
  float sb = 0.0f;
  for (int r = 0; r < rows; r++) {
    long i = (long) r * c + j;
    sg += dy[i] * (x[i] - stats[2 * r]) * stats[2 * r + 1];
    sb += dy[i];
  }
  dg[j] = sg;
  if (!rms) db[j] = sb;
}

// ---- embeddings, dropout, loss ------------------------------------------------------------------

__kernel void embedding(__global const float* table, __global const int* ids, __global float* y,
                        int c, int n) {
  int i = get_global_id(0);
  if (i >= n) return;
  int row = i / c;
  y[i] = table[(long) ids[row] * c + i % c];
}

// Scatter-add without atomics: thread j owns column j of the table and adds the rows in order.
// y must hold zeros.
__kernel void embedding_backward(__global const int* ids, __global const float* dy,
                                 __global float* y, int rows, int c) {
  int j = get_global_id(0);
  if (j >= c) return;
  for (int r = 0; r < rows; r++) y[(long) ids[r] * c + j] += dy[(long) r * c + j];
}

// Inverted dropout with the SplitMix64 counter mask of io.github.transformers4j.api.Dropout:
// bit for bit the same decision as the host for element i.
__kernel void dropout(__global const float* x, __global float* y, float p, float scale,
                      ulong seed, int n) {
  int i = get_global_id(0);
  if (i >= n) return;
  ulong z = seed + ((ulong) i + 1UL) * 0x9E3779B97F4A7C15UL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
  z = z ^ (z >> 31);
  float u = (float) (uint) (z >> 40) * 0x1.0p-24f;
  y[i] = u >= p ? x[i] * scale : 0.0f;
}

// Per-row loss of the mean cross-entropy (0 for an ignored row).
__kernel void cross_entropy_rows(__global const float* logits, __global const int* targets,
                                 __global float* loss, int v, int ignore, float smoothing) {
  __local float red[GROUP];
  int lid = get_local_id(0);
  int row = get_group_id(0);
  long base = (long) row * v;
  int t = targets[row];
  float mx = -INFINITY;
  for (int j = lid; j < v; j += GROUP) mx = fmax(mx, logits[base + j]);
  float rowMax = group_max(red, lid, mx);
  float s = 0.0f;
  float sl = 0.0f;
  for (int j = lid; j < v; j += GROUP) {
    s += exp(logits[base + j] - rowMax);
    sl += logits[base + j];
  }
  float sum = group_sum(red, lid, s);
  float sumLogits = group_sum(red, lid, sl);
  if (lid == 0) {
    float r = 0.0f;
    if (t != ignore) {
      float lse = rowMax + log(sum);
      r = (1.0f - smoothing) * (lse - logits[base + t]) + smoothing * (lse - sumLogits / v);
    }
    loss[row] = r;
  }
}

// out[0] = Σ rows / counted, in one work-group.
__kernel void mean_of(__global const float* rows, __global float* out, int n, float counted) {
  __local float red[GROUP];
  int lid = get_local_id(0);
  float s = 0.0f;
  for (int j = lid; j < n; j += GROUP) s += rows[j];
  float sum = group_sum(red, lid, s);
  if (lid == 0) out[0] = counted > 0.0f ? sum / counted : 0.0f;
}

__kernel void cross_entropy_backward(__global const float* logits, __global const int* targets,
                                     __global float* d, int v, int ignore, float smoothing,
                                     float scale) {
  __local float red[GROUP];
  int lid = get_local_id(0);
  int row = get_group_id(0);
  long base = (long) row * v;
  int t = targets[row];
  float mx = -INFINITY;
  for (int j = lid; j < v; j += GROUP) mx = fmax(mx, logits[base + j]);
  float rowMax = group_max(red, lid, mx);
  float s = 0.0f;
  for (int j = lid; j < v; j += GROUP) s += exp(logits[base + j] - rowMax);
  float sum = group_sum(red, lid, s);
  for (int j = lid; j < v; j += GROUP) {
    float r = 0.0f;
    if (t != ignore) {
      float p = exp(logits[base + j] - rowMax) / sum;
      float target = (j == t ? 1.0f - smoothing : 0.0f) + smoothing / v;
      r = (p - target) * scale;
    }
    d[base + j] = r;
  }
}

// ---- fused attention with online softmax ----------------------------------------------------------
// q (B·nh, tq, hs), k and v (B·nh, tk, hs); the mask's strides ms over (B, nh, tq, tk) aligned and
// 0 along broadcast axes; dims (B, nh). Nothing of size tq×tk is ever stored.

inline float att_score(__global const float* qi, __global const float* kj, int hs, float scale,
                       __global const float* mask, int hasMask, int8 ms8, int b, int h, int i,
                       int j) {
  float s = 0.0f;
  for (int d = 0; d < hs; d++) s += qi[d] * kj[d];
  s *= scale;
  if (hasMask) s += mask[b * ms8.s0 + h * ms8.s1 + i * ms8.s2 + j * ms8.s3];
  return s;
}

inline int att_visible(int causal, int i, int tq, int tk) {
  return causal ? clamp(i + tk - tq + 1, 0, tk) : tk;
}

// One thread per (b, h, i): the running max m, the running sum l and the unnormalized output.
// stats (optional, when writeStats) receives (m, l) per query for the backward kernels.
__kernel void attention_forward(__global const float* q, __global const float* k,
                                __global const float* v, __global const float* mask, int hasMask,
                                int8 ms8, int causal, int nh, int tq, int tk, int hs, float scale,
                                __global float* out, int n) {
  int gid = get_global_id(0);
  if (gid >= n) return;
  int bh = gid / tq;
  int i = gid % tq;
  int b = bh / nh;
  int h = bh % nh;
  __global const float* qi = q + ((long) bh * tq + i) * hs;
  __global const float* kb = k + (long) bh * tk * hs;
  __global const float* vb = v + (long) bh * tk * hs;
  float acc[MAX_HS];
  for (int d = 0; d < hs; d++) acc[d] = 0.0f;
  float m = -INFINITY;
  float l = 0.0f;
  int visible = att_visible(causal, i, tq, tk);
  for (int j = 0; j < visible; j++) {
    float s = att_score(qi, kb + (long) j * hs, hs, scale, mask, hasMask, ms8, b, h, i, j);
    if (s == -INFINITY) continue;
    float mNew = fmax(m, s);
    float corr = exp(m - mNew);
    float p = exp(s - mNew);
    l = l * corr + p;
    for (int d = 0; d < hs; d++) acc[d] = acc[d] * corr + p * vb[(long) j * hs + d];
    m = mNew;
  }
  __global float* o = out + ((long) bh * tq + i) * hs;
  float inv = l > 0.0f ? 1.0f / l : 0.0f;
  for (int d = 0; d < hs; d++) o[d] = acc[d] * inv;
}

// Backward, pass 1, one thread per query: the softmax statistics (m, l) and D = dO·O.
__kernel void attention_backward_stats(__global const float* q, __global const float* k,
                                       __global const float* v, __global const float* mask,
                                       int hasMask, int8 ms8, int causal, int nh, int tq, int tk,
                                       int hs, float scale, __global const float* dout,
                                       __global float* stats, int n) {
  int gid = get_global_id(0);
  if (gid >= n) return;
  int bh = gid / tq;
  int i = gid % tq;
  int b = bh / nh;
  int h = bh % nh;
  __global const float* qi = q + ((long) bh * tq + i) * hs;
  __global const float* kb = k + (long) bh * tk * hs;
  __global const float* vb = v + (long) bh * tk * hs;
  __global const float* doi = dout + ((long) bh * tq + i) * hs;
  float m = -INFINITY;
  float l = 0.0f;
  float dsum = 0.0f; // Σ p·(dO·v_j), unnormalized, rescaled like l
  int visible = att_visible(causal, i, tq, tk);
  for (int j = 0; j < visible; j++) {
    float s = att_score(qi, kb + (long) j * hs, hs, scale, mask, hasMask, ms8, b, h, i, j);
    if (s == -INFINITY) continue;
    float mNew = fmax(m, s);
    float corr = exp(m - mNew);
    float p = exp(s - mNew);
    float dv = 0.0f;
    for (int d = 0; d < hs; d++) dv += doi[d] * vb[(long) j * hs + d];
    l = l * corr + p;
    dsum = dsum * corr + p * dv;
    m = mNew;
  }
  stats[3 * gid] = m;
  stats[3 * gid + 1] = l;
  stats[3 * gid + 2] = l > 0.0f ? dsum / l : 0.0f;
}

// Backward, pass 2, one thread per query: dq_i = scale·Σ_j p_ij·(dO_i·v_j − D_i)·k_j.
__kernel void attention_backward_dq(__global const float* q, __global const float* k,
                                    __global const float* v, __global const float* mask,
                                    int hasMask, int8 ms8, int causal, int nh, int tq, int tk,
                                    int hs, float scale, __global const float* dout,
                                    __global const float* stats, __global float* dq, int n) {
  int gid = get_global_id(0);
  if (gid >= n) return;
  int bh = gid / tq;
  int i = gid % tq;
  int b = bh / nh;
  int h = bh % nh;
  __global const float* qi = q + ((long) bh * tq + i) * hs;
  __global const float* kb = k + (long) bh * tk * hs;
  __global const float* vb = v + (long) bh * tk * hs;
  __global const float* doi = dout + ((long) bh * tq + i) * hs;
  float m = stats[3 * gid];
  float l = stats[3 * gid + 1];
  float dd = stats[3 * gid + 2];
  float acc[MAX_HS];
  for (int d = 0; d < hs; d++) acc[d] = 0.0f;
  int visible = l > 0.0f ? att_visible(causal, i, tq, tk) : 0;
  for (int j = 0; j < visible; j++) {
    float s = att_score(qi, kb + (long) j * hs, hs, scale, mask, hasMask, ms8, b, h, i, j);
    if (s == -INFINITY) continue;
    float p = exp(s - m) / l;
    float dv = 0.0f;
    for (int d = 0; d < hs; d++) dv += doi[d] * vb[(long) j * hs + d];
    float ds = p * (dv - dd) * scale;
    for (int d = 0; d < hs; d++) acc[d] += ds * kb[(long) j * hs + d];
  }
  __global float* o = dq + ((long) bh * tq + i) * hs;
  for (int d = 0; d < hs; d++) o[d] = acc[d];
}

// Backward, pass 3, one thread per key: dv_j = Σ_i p_ij·dO_i and dk_j = scale·Σ_i ds_ij·q_i.
__kernel void attention_backward_dkdv(__global const float* q, __global const float* k,
                                      __global const float* v, __global const float* mask,
                                      int hasMask, int8 ms8, int causal, int nh, int tq, int tk,
                                      int hs, float scale, __global const float* dout,
                                      __global const float* stats, __global float* dk,
                                      __global float* dvOut, int n) {
  int gid = get_global_id(0);
  if (gid >= n) return;
  int bh = gid / tk;
  int j = gid % tk;
  int b = bh / nh;
  int h = bh % nh;
  __global const float* kj = k + ((long) bh * tk + j) * hs;
  __global const float* vj = v + ((long) bh * tk + j) * hs;
  float ak[MAX_HS];
  float av[MAX_HS];
  for (int d = 0; d < hs; d++) { ak[d] = 0.0f; av[d] = 0.0f; }
  // with causal, key j is seen by the queries i >= j − (tk − tq)
  int first = causal ? max(0, j - (tk - tq)) : 0;
  for (int i = first; i < tq; i++) {
    int row = bh * tq + i;
    float l = stats[3 * row + 1];
    if (!(l > 0.0f)) continue;
    __global const float* qi = q + (long) row * hs;
    float s = att_score(qi, kj, hs, scale, mask, hasMask, ms8, b, h, i, j);
    if (s == -INFINITY) continue;
    float p = exp(s - stats[3 * row]) / l;
    __global const float* doi = dout + (long) row * hs;
    float dv = 0.0f;
    for (int d = 0; d < hs; d++) dv += doi[d] * vj[d];
    float ds = p * (dv - stats[3 * row + 2]) * scale;
    for (int d = 0; d < hs; d++) {
      av[d] += p * doi[d];
      ak[d] += ds * qi[d];
    }
  }
  __global float* ok = dk + ((long) bh * tk + j) * hs;
  __global float* ov = dvOut + ((long) bh * tk + j) * hs;
  for (int d = 0; d < hs; d++) { ok[d] = ak[d]; ov[d] = av[d]; }
}
