#include "vitrel_bf16.h"
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <string.h>

void omp_set_num_threads(int num_threads);
int omp_get_max_threads(void);

static dnnl_engine_t shared_engine;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static void create_engine(void) { dnnl_engine_create(&shared_engine, dnnl_cpu, 0); }

/* A small per-thread cache of primitives by shape: a ViT's forward meets a handful of shapes,
   and creating a primitive descriptor costs more than a small product. */
typedef struct {
    int64_t m, n, k, lda, ldb, ldc;
    int transpose_a, transpose_b, accumulate;
    dnnl_primitive_t primitive;
    dnnl_memory_desc_t a_desc, b_desc, c_desc;
} cached_matmul;

#define CACHE_SLOTS 32
static __thread cached_matmul cache[CACHE_SLOTS];
static __thread int cache_next;
static __thread dnnl_stream_t thread_stream;

static cached_matmul *lookup(int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k, int64_t lda, int64_t ldb,
                             int64_t ldc, int accumulate, dnnl_status_t *status) {
    for (int i = 0; i < CACHE_SLOTS; i++) {
        cached_matmul *e = &cache[i];
        if (e->primitive && e->m == m && e->n == n && e->k == k && e->lda == lda && e->ldb == ldb
            && e->ldc == ldc && e->transpose_a == transpose_a && e->transpose_b == transpose_b && e->accumulate == accumulate)
            return e;
    }
    cached_matmul *e = &cache[cache_next];
    cache_next = (cache_next + 1) % CACHE_SLOTS;
    if (e->primitive) { dnnl_primitive_destroy(e->primitive); e->primitive = NULL; }

    dnnl_dims_t a_dims = {m, k}, a_strides_plain = {lda, 1}, a_strides_transposed = {1, lda};
    dnnl_dims_t b_dims = {k, n}, b_strides_plain = {ldb, 1}, b_strides_transposed = {1, ldb};
    dnnl_dims_t c_dims = {m, n}, c_strides = {ldc, 1};
    *status = dnnl_memory_desc_init_by_strides(&e->a_desc, 2, a_dims, dnnl_bf16,
                                               transpose_a ? a_strides_transposed : a_strides_plain);
    if (*status != dnnl_success) return NULL;
    *status = dnnl_memory_desc_init_by_strides(&e->b_desc, 2, b_dims, dnnl_bf16,
                                               transpose_b ? b_strides_transposed : b_strides_plain);
    if (*status != dnnl_success) return NULL;
    *status = dnnl_memory_desc_init_by_strides(&e->c_desc, 2, c_dims, dnnl_f32, c_strides);
    if (*status != dnnl_success) return NULL;

    dnnl_matmul_desc_t descriptor;
    *status = dnnl_matmul_desc_init(&descriptor, &e->a_desc, &e->b_desc, NULL, &e->c_desc);
    if (*status != dnnl_success) return NULL;
    dnnl_primitive_attr_t attributes;
    dnnl_primitive_attr_create(&attributes);
    if (accumulate) {
        dnnl_post_ops_t post_ops;
        dnnl_post_ops_create(&post_ops);
        dnnl_post_ops_append_sum(post_ops, 1.0f);
        dnnl_primitive_attr_set_post_ops(attributes, post_ops);
        dnnl_post_ops_destroy(post_ops);
    }
    dnnl_primitive_desc_t primitive_desc;
    *status = dnnl_primitive_desc_create(&primitive_desc, &descriptor, attributes, shared_engine, NULL);
    dnnl_primitive_attr_destroy(attributes);
    if (*status != dnnl_success) return NULL;
    *status = dnnl_primitive_create(&e->primitive, primitive_desc);
    dnnl_primitive_desc_destroy(primitive_desc);
    if (*status != dnnl_success) { e->primitive = NULL; return NULL; }
    e->m = m; e->n = n; e->k = k; e->lda = lda; e->ldb = ldb; e->ldc = ldc;
    e->transpose_a = transpose_a; e->transpose_b = transpose_b; e->accumulate = accumulate;
    return e;
}

int vitrel_bf16_matmul(int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k,
                       const uint16_t *a, int64_t lda, const uint16_t *b, int64_t ldb,
                       float *c, int64_t ldc, int accumulate) {
    if (m <= 0 || n <= 0) return 0;
    if (k <= 0) {
        if (!accumulate) for (int64_t i = 0; i < m; i++) memset(c + i * ldc, 0, (size_t)n * sizeof(float));
        return 0;
    }
    pthread_once(&engine_once, create_engine);
    if (!shared_engine) return dnnl_runtime_error;
    if (omp_get_max_threads() != 1) omp_set_num_threads(1);
    dnnl_status_t status = dnnl_success;
    if (!thread_stream) {
        status = dnnl_stream_create(&thread_stream, shared_engine, dnnl_stream_default_flags);
        if (status != dnnl_success) return status;
    }
    cached_matmul *e = lookup(transpose_a, transpose_b, m, n, k, lda, ldb, ldc, accumulate, &status);
    if (!e) return status;
    dnnl_memory_t a_memory, b_memory, c_memory;
    if ((status = dnnl_memory_create(&a_memory, &e->a_desc, shared_engine, (void *)a)) != dnnl_success) return status;
    if ((status = dnnl_memory_create(&b_memory, &e->b_desc, shared_engine, (void *)b)) != dnnl_success) {
        dnnl_memory_destroy(a_memory);
        return status;
    }
    if ((status = dnnl_memory_create(&c_memory, &e->c_desc, shared_engine, c)) != dnnl_success) {
        dnnl_memory_destroy(a_memory);
        dnnl_memory_destroy(b_memory);
        return status;
    }
    dnnl_exec_arg_t arguments[3] = {
        {DNNL_ARG_SRC, a_memory}, {DNNL_ARG_WEIGHTS, b_memory}, {DNNL_ARG_DST, c_memory}};
    status = dnnl_primitive_execute(e->primitive, thread_stream, 3, arguments);
    if (status == dnnl_success) status = dnnl_stream_wait(thread_stream);
    dnnl_memory_destroy(a_memory);
    dnnl_memory_destroy(b_memory);
    dnnl_memory_destroy(c_memory);
    return status;
}

void vitrel_f32_to_bf16(const float *source, uint16_t *destination, int64_t count) {
    for (int64_t i = 0; i < count; i++) {
        uint32_t bits;
        memcpy(&bits, &source[i], sizeof bits);
        if ((bits & 0x7fffffffu) > 0x7f800000u) {
            destination[i] = (uint16_t)((bits >> 16) | 0x40u); /* quiet NaN */
        } else {
            uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
            destination[i] = (uint16_t)((bits + rounding) >> 16);
        }
    }
}

int vitrel_bf16_is_native(void) {
    dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    return isa == dnnl_cpu_isa_avx512_core_bf16 || isa == dnnl_cpu_isa_avx512_core_amx;
}
