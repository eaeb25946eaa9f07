/* test_tree.c - <uv/tree.h>: the BSD sys/tree.h red-black and splay tree macros.
 *
 * Covers: RB_INSERT of 10,000 pseudo-random keys with duplicates (a duplicate returns the
 * element already there and is not linked), RB_FOREACH / RB_FOREACH_REVERSE in key order,
 * RB_FIND / RB_NFIND for every key in range and beyond, RB_MIN / RB_MAX / RB_NEXT /
 * RB_PREV, RB_FOREACH_FROM / RB_FOREACH_REVERSE_FROM, removal of half the elements in an
 * RB_FOREACH_SAFE loop (freeing them as it goes), then of the rest by RB_FIND and
 * RB_FOREACH_REVERSE_SAFE, with a red-black invariant check (root black, no red element
 * with a red child, equal black heights, parent links, key order, count) after each phase;
 * trees of 1 to 64 elements built and emptied in ascending, descending and random orders,
 * checked after each step; one element
 * in two trees at once (two entry fields, RB_PROTOTYPE / RB_GENERATE with external
 * linkage); RB_AUGMENT keeping subtree sizes (RB_GENERATE_INTERNAL); and the same for the
 * splay trees (SPLAY_INSERT / FIND / REMOVE / MIN / MAX / NEXT / FOREACH), which
 * libuv 1.49 dropped from its copy of the header: those tests are compiled only when the
 * header has SPLAY_HEAD. RB_AUGMENT's test is rsuv-only: libuv's header calls it in fewer
 * places (a new leaf, the path above an insertion), so the sizes go stale there.
 *
 * Built like the other programs, and checked against libuv's own headers: 1.53's (no
 * splay tests) and Debian's 1.44 (all pass but rb_augment, which RSUV_TEST_REAL_LIBUV=1
 * skips):
 *   cc -std=gnu11 -Wall -Wextra -Werror -Iinclude c_tests/test_tree.c -Ltarget/debug -luv
 *   cc -std=gnu11 -Wall -Wextra -Werror -I/path/to/libuv-1.53/include c_tests/test_tree.c ...
 *   cc -std=gnu11 -Wall -Wextra -Werror -Ic_tests c_tests/test_tree.c -luv   (Debian's)
 */
#include "uv.h"
#include "uv/tree.h"
#include "uv/tree.h" /* the include guard */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASSERT(expr)                                                                   \
  do {                                                                                 \
    if (!(expr)) {                                                                     \
      fprintf(stderr, "%s:%d: in %s: assertion failed: %s\n", __FILE__, __LINE__,      \
              __func__, #expr);                                                        \
      fflush(stderr);                                                                  \
      abort();                                                                         \
    }                                                                                  \
  } while (0)

#define ASSERT_EQ(a, b)                                                                \
  do {                                                                                 \
    long long a_ = (long long) (a), b_ = (long long) (b);                              \
    if (a_ != b_) {                                                                    \
      fprintf(stderr, "%s:%d: in %s: assertion failed: %s == %s (%lld != %lld)\n",     \
              __FILE__, __LINE__, __func__, #a, #b, a_, b_);                           \
      fflush(stderr);                                                                  \
      abort();                                                                         \
    }                                                                                  \
  } while (0)

/* libuv 1.49 dropped the unused head argument of RB_NEXT / RB_PREV (and the SPLAY_*
 * macros): older headers (Debian's 1.44) still take it. */
#if UV_VERSION_HEX >= 0x013100
#define T_RB_NEXT(name, head, x) RB_NEXT(name, x)
#define T_RB_PREV(name, head, x) RB_PREV(name, x)
#else
#define T_RB_NEXT(name, head, x) RB_NEXT(name, head, x)
#define T_RB_PREV(name, head, x) RB_PREV(name, head, x)
#endif

#define ASSERT_NULL(p) ASSERT((p) == NULL)
#define ASSERT_PTR_EQ(a, b) ASSERT((const void*) (a) == (const void*) (b))

/* A small deterministic generator (xorshift32), so a failure reproduces. */
static unsigned rng_state = 2463534242u;

static void rng_seed(unsigned s) {
  rng_state = s ? s : 1;
}

static unsigned rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

static void shuffle(int* v, int n) {
  int i, j, t;

  for (i = n - 1; i > 0; i--) {
    j = (int) (rng() % (unsigned) (i + 1));
    t = v[i];
    v[i] = v[j];
    v[j] = t;
  }
}

/* ---------------------------------------------------------------------------------------
 * Red-black trees.
 * ------------------------------------------------------------------------------------- */

struct rbnode {
  RB_ENTRY(rbnode) entry;  /* in a `struct rbtree`, ascending keys */
  RB_ENTRY(rbnode) entry2; /* in a `struct rbdesc`, descending keys */
  int key;
  int serial;
};

static int rbnode_cmp(struct rbnode* a, struct rbnode* b) {
  return a->key < b->key ? -1 : a->key > b->key;
}

static int rbnode_cmp_desc(struct rbnode* a, struct rbnode* b) {
  return rbnode_cmp(b, a);
}

RB_HEAD(rbtree, rbnode);
RB_PROTOTYPE_STATIC(rbtree, rbnode, entry, rbnode_cmp)
RB_GENERATE_STATIC(rbtree, rbnode, entry, rbnode_cmp)

/* The same elements in a second tree, through the second entry, with external linkage. */
RB_HEAD(rbdesc, rbnode);
RB_PROTOTYPE(rbdesc, rbnode, entry2, rbnode_cmp_desc)
RB_GENERATE(rbdesc, rbnode, entry2, rbnode_cmp_desc)

/* Checks the subtree at n (whose parent must be `parent`, keys strictly between lo and hi
 * when has_lo / has_hi) and returns its black height; adds its size to *count. */
static int rb_check_sub(struct rbnode* n, struct rbnode* parent, int has_lo, int lo,
                        int has_hi, int hi, long* count) {
  int bl, br;

  if (n == NULL)
    return 1;
  (*count)++;
  ASSERT_PTR_EQ(RB_PARENT(n, entry), parent);
  ASSERT(RB_COLOR(n, entry) == RB_BLACK || RB_COLOR(n, entry) == RB_RED);
  if (has_lo)
    ASSERT(n->key > lo);
  if (has_hi)
    ASSERT(n->key < hi);
  if (RB_COLOR(n, entry) == RB_RED) {
    ASSERT(RB_LEFT(n, entry) == NULL || RB_COLOR(RB_LEFT(n, entry), entry) == RB_BLACK);
    ASSERT(RB_RIGHT(n, entry) == NULL || RB_COLOR(RB_RIGHT(n, entry), entry) == RB_BLACK);
  }
  bl = rb_check_sub(RB_LEFT(n, entry), n, has_lo, lo, 1, n->key, count);
  br = rb_check_sub(RB_RIGHT(n, entry), n, 1, n->key, has_hi, hi, count);
  ASSERT_EQ(bl, br);
  return bl + (RB_COLOR(n, entry) == RB_BLACK);
}

/* The red-black invariants of the whole tree, which must hold `expect` elements. */
static void rb_check(struct rbtree* head, long expect) {
  long count = 0;

  if (RB_ROOT(head) != NULL)
    ASSERT_EQ(RB_COLOR(RB_ROOT(head), entry), RB_BLACK);
  rb_check_sub(RB_ROOT(head), NULL, 0, 0, 0, 0, &count);
  ASSERT_EQ(count, expect);
  ASSERT_EQ(RB_EMPTY(head), expect == 0);
}

/* The same for the descending tree (the checker above is written for `entry`). */
static int rbd_check_sub(struct rbnode* n, struct rbnode* parent, long* count) {
  int bl, br;

  if (n == NULL)
    return 1;
  (*count)++;
  ASSERT_PTR_EQ(RB_PARENT(n, entry2), parent);
  if (RB_LEFT(n, entry2) != NULL)
    ASSERT(RB_LEFT(n, entry2)->key > n->key);
  if (RB_RIGHT(n, entry2) != NULL)
    ASSERT(RB_RIGHT(n, entry2)->key < n->key);
  if (RB_COLOR(n, entry2) == RB_RED) {
    ASSERT(RB_LEFT(n, entry2) == NULL || RB_COLOR(RB_LEFT(n, entry2), entry2) == RB_BLACK);
    ASSERT(RB_RIGHT(n, entry2) == NULL ||
           RB_COLOR(RB_RIGHT(n, entry2), entry2) == RB_BLACK);
  }
  bl = rbd_check_sub(RB_LEFT(n, entry2), n, count);
  br = rbd_check_sub(RB_RIGHT(n, entry2), n, count);
  ASSERT_EQ(bl, br);
  return bl + (RB_COLOR(n, entry2) == RB_BLACK);
}

static void rbd_check(struct rbdesc* head, long expect) {
  long count = 0;

  if (RB_ROOT(head) != NULL)
    ASSERT_EQ(RB_COLOR(RB_ROOT(head), entry2), RB_BLACK);
  rbd_check_sub(RB_ROOT(head), NULL, &count);
  ASSERT_EQ(count, expect);
}

#define NKEYS 10000
#define KEY_RANGE 6000 /* < NKEYS: plenty of duplicates */

/* owner[k]: the element with key k in the tree, or NULL. Walks everything the API offers
 * and compares it with owner[]. */
static void rb_compare(struct rbtree* head, struct rbnode** owner, long expect) {
  struct rbnode *n, *prev, *want, key, *from;
  long count;
  int k, lo = -1, hi = -1;

  rb_check(head, expect);

  for (k = 0; k < KEY_RANGE; k++)
    if (owner[k] != NULL) {
      if (lo < 0)
        lo = k;
      hi = k;
    }

  /* RB_FOREACH: ascending, exactly the owners. */
  count = 0;
  prev = NULL;
  RB_FOREACH(n, rbtree, head) {
    ASSERT(n->key >= 0 && n->key < KEY_RANGE);
    ASSERT_PTR_EQ(owner[n->key], n);
    if (prev != NULL)
      ASSERT(prev->key < n->key);
    ASSERT_PTR_EQ(T_RB_PREV(rbtree, head, n), prev);
    if (prev != NULL)
      ASSERT_PTR_EQ(T_RB_NEXT(rbtree, head, prev), n);
    prev = n;
    count++;
  }
  ASSERT_EQ(count, expect);
  if (prev != NULL)
    ASSERT_NULL(T_RB_NEXT(rbtree, head, prev));

  /* RB_FOREACH_REVERSE: descending. */
  count = 0;
  prev = NULL;
  RB_FOREACH_REVERSE(n, rbtree, head) {
    ASSERT_PTR_EQ(owner[n->key], n);
    if (prev != NULL)
      ASSERT(prev->key > n->key);
    prev = n;
    count++;
  }
  ASSERT_EQ(count, expect);

  /* RB_MIN / RB_MAX. */
  if (expect == 0) {
    ASSERT_NULL(RB_MIN(rbtree, head));
    ASSERT_NULL(RB_MAX(rbtree, head));
  } else {
    ASSERT_PTR_EQ(RB_MIN(rbtree, head), owner[lo]);
    ASSERT_PTR_EQ(RB_MAX(rbtree, head), owner[hi]);
    ASSERT_NULL(T_RB_PREV(rbtree, head, RB_MIN(rbtree, head)));
    ASSERT_NULL(T_RB_NEXT(rbtree, head, RB_MAX(rbtree, head)));
  }

  /* RB_FIND and RB_NFIND for every key in range and one either side, from the top down so
   * that the next present key is known. */
  memset(&key, 0, sizeof(key));
  want = NULL;
  key.key = KEY_RANGE;
  ASSERT_NULL(RB_FIND(rbtree, head, &key));
  ASSERT_NULL(RB_NFIND(rbtree, head, &key));
  for (k = KEY_RANGE - 1; k >= -1; k--) {
    key.key = k;
    if (k >= 0 && owner[k] != NULL)
      want = owner[k];
    ASSERT_PTR_EQ(RB_FIND(rbtree, head, &key), k >= 0 ? owner[k] : NULL);
    ASSERT_PTR_EQ(RB_NFIND(rbtree, head, &key), want);
  }

  /* RB_FOREACH_FROM / RB_FOREACH_REVERSE_FROM from a middle key. */
  key.key = KEY_RANGE / 2;
  from = RB_NFIND(rbtree, head, &key);
  count = 0;
  RB_FOREACH_FROM(n, rbtree, from) {
    ASSERT(n->key >= KEY_RANGE / 2);
    count++;
  }
  ASSERT_NULL(from); /* the loop leaves the "next" cursor NULL at the end */
  from = RB_NFIND(rbtree, head, &key);
  from = from != NULL ? T_RB_PREV(rbtree, head, from) : RB_MAX(rbtree, head);
  RB_FOREACH_REVERSE_FROM(n, rbtree, from) {
    ASSERT(n->key < KEY_RANGE / 2);
    count++;
  }
  ASSERT_EQ(count, expect);
}

static struct rbnode* rb_new(int key, int serial) {
  struct rbnode* n = (struct rbnode*) calloc(1, sizeof(*n));

  ASSERT(n != NULL);
  n->key = key;
  n->serial = serial;
  return n;
}

static void test_rb_random(void) {
  struct rbtree head = RB_INITIALIZER(&head);
  struct rbnode **owner, *n, *tmp, *ret, key;
  long size = 0;
  int i, dups = 0, parity = 0;

  owner = (struct rbnode**) calloc(KEY_RANGE, sizeof(*owner));
  ASSERT(owner != NULL);
  ASSERT(RB_EMPTY(&head));
  rb_compare(&head, owner, 0);

  /* Insert: a duplicate key returns the element already in the tree. */
  rng_seed(12345);
  for (i = 0; i < NKEYS; i++) {
    n = rb_new((int) (rng() % KEY_RANGE), i);
    ret = RB_INSERT(rbtree, &head, n);
    if (owner[n->key] != NULL) {
      ASSERT_PTR_EQ(ret, owner[n->key]);
      dups++;
      free(n);
    } else {
      ASSERT_NULL(ret);
      owner[n->key] = n;
      size++;
    }
    if (i % 1000 == 999)
      rb_check(&head, size);
  }
  ASSERT(dups > 1000);
  ASSERT_EQ(size + dups, NKEYS);
  rb_compare(&head, owner, size);

  /* Inserting each present element again changes nothing. */
  RB_FOREACH(n, rbtree, &head) {
    ASSERT_PTR_EQ(RB_INSERT(rbtree, &head, n), n);
  }
  rb_compare(&head, owner, size);

  /* Remove every other element in an RB_FOREACH_SAFE loop, freeing it there. */
  RB_FOREACH_SAFE(n, rbtree, &head, tmp) {
    if (parity++ & 1) {
      owner[n->key] = NULL;
      ASSERT_PTR_EQ(RB_REMOVE(rbtree, &head, n), n);
      free(n);
      size--;
    }
  }
  rb_compare(&head, owner, size);

  /* Remove half of the rest, in random key order, looked up by RB_FIND. */
  memset(&key, 0, sizeof(key));
  for (i = 0; i < 4 * KEY_RANGE && size > 1000; i++) {
    key.key = (int) (rng() % KEY_RANGE);
    n = RB_FIND(rbtree, &head, &key);
    ASSERT_PTR_EQ(n, owner[key.key]);
    if (n == NULL)
      continue;
    ASSERT_PTR_EQ(RB_REMOVE(rbtree, &head, n), n);
    owner[key.key] = NULL;
    free(n);
    size--;
  }
  rb_compare(&head, owner, size);

  /* Put some back (the tree keeps working after removals). */
  for (i = 0; i < 2000; i++) {
    n = rb_new((int) (rng() % KEY_RANGE), i);
    ret = RB_INSERT(rbtree, &head, n);
    ASSERT_PTR_EQ(ret, owner[n->key]);
    if (ret != NULL) {
      free(n);
    } else {
      owner[n->key] = n;
      size++;
    }
  }
  rb_compare(&head, owner, size);

  /* Empty it from the top with RB_FOREACH_REVERSE_SAFE. */
  RB_FOREACH_REVERSE_SAFE(n, rbtree, &head, tmp) {
    ASSERT_PTR_EQ(RB_MAX(rbtree, &head), n);
    owner[n->key] = NULL;
    RB_REMOVE(rbtree, &head, n);
    free(n);
    size--;
  }
  ASSERT_EQ(size, 0);
  ASSERT(RB_EMPTY(&head));
  ASSERT_NULL(RB_ROOT(&head));
  rb_compare(&head, owner, 0);
  free(owner);
}

/* Every shape the fix-ups meet: small trees built in many orders (ascending, descending,
 * random) and emptied in many orders, checked after every step. */
static void test_rb_small_orders(void) {
  struct rbtree head;
  struct rbnode nodes[64], *n;
  int order[64], i, size, round, k;

  rng_seed(777);
  for (size = 1; size <= 64; size++) {
    for (round = 0; round < 12; round++) {
      RB_INIT(&head);
      for (i = 0; i < size; i++) {
        order[i] = i;
        memset(&nodes[i], 0, sizeof(nodes[i]));
        nodes[i].key = i;
      }
      if (round == 1) {
        for (i = 0; i < size; i++)
          order[i] = size - 1 - i;
      } else if (round > 1) {
        shuffle(order, size);
      }
      for (i = 0; i < size; i++) {
        ASSERT_NULL(RB_INSERT(rbtree, &head, &nodes[order[i]]));
        rb_check(&head, i + 1);
      }
      i = 0;
      RB_FOREACH(n, rbtree, &head) {
        ASSERT_EQ(n->key, i++);
      }
      ASSERT_EQ(i, size);

      if (round % 3 == 0) {
        for (i = 0; i < size; i++)
          order[i] = i;
      } else if (round % 3 == 1) {
        for (i = 0; i < size; i++)
          order[i] = size - 1 - i;
      } else {
        shuffle(order, size);
      }
      for (i = 0; i < size; i++) {
        k = order[i];
        ASSERT_PTR_EQ(RB_FIND(rbtree, &head, &nodes[k]), &nodes[k]);
        ASSERT_PTR_EQ(RB_REMOVE(rbtree, &head, &nodes[k]), &nodes[k]);
        ASSERT_NULL(RB_FIND(rbtree, &head, &nodes[k]));
        rb_check(&head, size - 1 - i);
      }
      ASSERT(RB_EMPTY(&head));
    }
  }
}

/* One element in two trees at once, ordered oppositely, through two entry fields. */
static void test_rb_two_trees(void) {
  struct rbtree asc;
  struct rbdesc desc;
  struct rbnode nodes[500], *n, *m, key;
  int i, expect;

  RB_INIT(&asc);
  RB_INIT(&desc);
  rng_seed(99);
  for (i = 0; i < 500; i++) {
    memset(&nodes[i], 0, sizeof(nodes[i]));
    nodes[i].key = (int) (rng() % 100000);
    if (RB_INSERT(rbtree, &asc, &nodes[i]) == NULL)
      ASSERT_NULL(RB_INSERT(rbdesc, &desc, &nodes[i]));
    else
      ASSERT(RB_INSERT(rbdesc, &desc, &nodes[i]) != NULL);
  }
  expect = 0;
  RB_FOREACH(n, rbtree, &asc) {
    expect++;
  }
  ASSERT(expect > 400);
  rb_check(&asc, expect);
  rbd_check(&desc, expect);

  /* The descending walk of one is the ascending walk of the other. */
  m = RB_MAX(rbtree, &asc);
  RB_FOREACH(n, rbdesc, &desc) {
    ASSERT_PTR_EQ(n, m);
    m = T_RB_PREV(rbtree, &asc, m);
  }
  ASSERT_NULL(m);
  m = RB_MIN(rbtree, &asc);
  RB_FOREACH_REVERSE(n, rbdesc, &desc) {
    ASSERT_PTR_EQ(n, m);
    m = T_RB_NEXT(rbtree, &asc, m);
  }
  ASSERT_NULL(m);

  /* RB_NFIND in the descending tree: the first element "not before" the key there is the
   * greatest key <= it. */
  memset(&key, 0, sizeof(key));
  for (i = 0; i < 200; i++) {
    key.key = (int) (rng() % 100000);
    n = RB_NFIND(rbdesc, &desc, &key);
    m = RB_NFIND(rbtree, &asc, &key);
    if (m == NULL || m->key != key.key)
      m = m != NULL ? T_RB_PREV(rbtree, &asc, m) : RB_MAX(rbtree, &asc);
    ASSERT_PTR_EQ(n, m);
  }

  /* Removing from one leaves the other intact. */
  while ((n = RB_MIN(rbtree, &asc)) != NULL) {
    RB_REMOVE(rbtree, &asc, n);
  }
  rbd_check(&desc, expect);
  while ((n = RB_MIN(rbdesc, &desc)) != NULL) {
    RB_REMOVE(rbdesc, &desc, n);
    rbd_check(&desc, --expect);
  }
  ASSERT_EQ(expect, 0);
}

/* RB_AUGMENT: a tree that keeps each subtree's size, generated with RB_AUGMENT defined,
 * then used for order statistics. */
struct anode {
  RB_ENTRY(anode) entry;
  int key;
  int size; /* elements in the subtree rooted here */
};

static int anode_cmp(struct anode* a, struct anode* b) {
  return a->key < b->key ? -1 : a->key > b->key;
}

static int anode_size(struct anode* n) {
  return n != NULL ? n->size : 0;
}

static void anode_augment(struct anode* n) {
  n->size = 1 + anode_size(RB_LEFT(n, entry)) + anode_size(RB_RIGHT(n, entry));
}

RB_HEAD(atree, anode);
#undef RB_AUGMENT
#define RB_AUGMENT(x) anode_augment(x)
RB_GENERATE_INTERNAL(atree, anode, entry, anode_cmp, static inline)
#undef RB_AUGMENT
#define RB_AUGMENT(x) \
  do {                \
  } while (0)

static int a_check(struct anode* n) {
  int size;

  if (n == NULL)
    return 0;
  size = 1 + a_check(RB_LEFT(n, entry)) + a_check(RB_RIGHT(n, entry));
  ASSERT_EQ(n->size, size);
  return size;
}

/* The i-th smallest element (from 0), by the sizes. */
static struct anode* a_select(struct atree* head, int i) {
  struct anode* n = RB_ROOT(head);
  int left;

  while (n != NULL) {
    left = anode_size(RB_LEFT(n, entry));
    if (i < left) {
      n = RB_LEFT(n, entry);
    } else if (i == left) {
      return n;
    } else {
      i -= left + 1;
      n = RB_RIGHT(n, entry);
    }
  }
  return NULL;
}

static void test_rb_augment(void) {
  static struct anode nodes[3000];
  struct atree head = RB_INITIALIZER(&head);
  struct anode *n, *tmp;
  int i, size = 0, parity = 0;

  rng_seed(4242);
  for (i = 0; i < 3000; i++) {
    nodes[i].key = (int) (rng() % 2500);
    if (RB_INSERT(atree, &head, &nodes[i]) == NULL)
      size++;
    if (i % 100 == 0)
      ASSERT_EQ(a_check(RB_ROOT(&head)), size);
  }
  ASSERT_EQ(a_check(RB_ROOT(&head)), size);
  i = 0;
  RB_FOREACH(n, atree, &head) {
    ASSERT_PTR_EQ(a_select(&head, i++), n);
  }
  RB_FOREACH_SAFE(n, atree, &head, tmp) {
    if (parity++ % 3 != 0) {
      RB_REMOVE(atree, &head, n);
      size--;
      if (parity % 50 == 0)
        ASSERT_EQ(a_check(RB_ROOT(&head)), size);
    }
  }
  ASSERT_EQ(a_check(RB_ROOT(&head)), size);
  i = 0;
  RB_FOREACH(n, atree, &head) {
    ASSERT_PTR_EQ(a_select(&head, i++), n);
  }
  ASSERT_EQ(i, size);
  while ((n = RB_MAX(atree, &head)) != NULL) {
    RB_REMOVE(atree, &head, n);
    ASSERT_EQ(a_check(RB_ROOT(&head)), --size);
  }
}

/* ---------------------------------------------------------------------------------------
 * Splay trees (not in libuv >= 1.49's header).
 * ------------------------------------------------------------------------------------- */
#ifdef SPLAY_HEAD

struct snode {
  SPLAY_ENTRY(snode) entry;
  int key;
};

static int snode_cmp(struct snode* a, struct snode* b) {
  return a->key < b->key ? -1 : a->key > b->key;
}

SPLAY_HEAD(stree, snode);
SPLAY_PROTOTYPE(stree, snode, entry, snode_cmp)
SPLAY_GENERATE(stree, snode, entry, snode_cmp)

/* Search-tree order and the element count (iterative: a splay tree may be a long path). */
static long splay_check_sub(struct snode* root) {
  struct snode **stack, *n = root, *prev = NULL;
  long count = 0, top = 0;

  stack = (struct snode**) malloc(sizeof(*stack) * (NKEYS + 1));
  ASSERT(stack != NULL);
  while (n != NULL || top > 0) {
    while (n != NULL) {
      ASSERT(top <= NKEYS);
      stack[top++] = n;
      n = SPLAY_LEFT(n, entry);
    }
    n = stack[--top];
    if (prev != NULL)
      ASSERT(prev->key < n->key);
    prev = n;
    count++;
    n = SPLAY_RIGHT(n, entry);
  }
  free(stack);
  return count;
}

static void splay_compare(struct stree* head, struct snode** owner, long expect) {
  struct snode *n, *prev, key;
  long count;
  int k, lo = -1, hi = -1;

  ASSERT_EQ(splay_check_sub(SPLAY_ROOT(head)), expect);
  ASSERT_EQ(SPLAY_EMPTY(head), expect == 0);
  for (k = 0; k < KEY_RANGE; k++)
    if (owner[k] != NULL) {
      if (lo < 0)
        lo = k;
      hi = k;
    }

  count = 0;
  prev = NULL;
  SPLAY_FOREACH(n, stree, head) {
    ASSERT_PTR_EQ(owner[n->key], n);
    if (prev != NULL)
      ASSERT(prev->key < n->key);
    prev = n;
    count++;
  }
  ASSERT_EQ(count, expect);
  ASSERT_EQ(splay_check_sub(SPLAY_ROOT(head)), expect);

  if (expect == 0) {
    ASSERT_NULL(SPLAY_MIN(stree, head));
    ASSERT_NULL(SPLAY_MAX(stree, head));
  } else {
    ASSERT_PTR_EQ(SPLAY_MIN(stree, head), owner[lo]);
    ASSERT_PTR_EQ(SPLAY_ROOT(head), owner[lo]); /* splayed to the root */
    ASSERT_PTR_EQ(SPLAY_MAX(stree, head), owner[hi]);
    ASSERT_PTR_EQ(SPLAY_ROOT(head), owner[hi]);
    ASSERT_NULL(SPLAY_NEXT(stree, head, owner[hi]));
  }

  memset(&key, 0, sizeof(key));
  for (k = -1; k <= KEY_RANGE; k++) {
    key.key = k;
    n = SPLAY_FIND(stree, head, &key);
    ASSERT_PTR_EQ(n, k >= 0 && k < KEY_RANGE ? owner[k] : NULL);
    if (n != NULL)
      ASSERT_PTR_EQ(SPLAY_ROOT(head), n);
  }
  ASSERT_EQ(splay_check_sub(SPLAY_ROOT(head)), expect);
}

static void test_splay_random(void) {
  struct stree head = SPLAY_INITIALIZER(&head);
  struct snode **owner, *n, *next, *ret, key;
  long size = 0;
  int i, dups = 0, parity = 0;

  owner = (struct snode**) calloc(KEY_RANGE, sizeof(*owner));
  ASSERT(owner != NULL);
  splay_compare(&head, owner, 0);

  rng_seed(54321);
  for (i = 0; i < NKEYS; i++) {
    n = (struct snode*) calloc(1, sizeof(*n));
    ASSERT(n != NULL);
    n->key = (int) (rng() % KEY_RANGE);
    ret = SPLAY_INSERT(stree, &head, n);
    if (owner[n->key] != NULL) {
      ASSERT_PTR_EQ(ret, owner[n->key]);
      dups++;
      free(n);
    } else {
      ASSERT_NULL(ret);
      ASSERT_PTR_EQ(SPLAY_ROOT(&head), n); /* a new element is the root */
      owner[n->key] = n;
      size++;
    }
  }
  ASSERT(dups > 1000);
  splay_compare(&head, owner, size);

  /* Remove every other element while walking with SPLAY_NEXT. */
  for (n = SPLAY_MIN(stree, &head); n != NULL; n = next) {
    next = SPLAY_NEXT(stree, &head, n);
    if (parity++ & 1) {
      ASSERT_PTR_EQ(SPLAY_REMOVE(stree, &head, n), n);
      ASSERT_NULL(SPLAY_FIND(stree, &head, n));
      ASSERT_NULL(SPLAY_REMOVE(stree, &head, n)); /* no longer there */
      owner[n->key] = NULL;
      free(n);
      size--;
    }
  }
  splay_compare(&head, owner, size);

  /* Remove more by key, at random. */
  memset(&key, 0, sizeof(key));
  for (i = 0; i < 4 * KEY_RANGE && size > 1000; i++) {
    key.key = (int) (rng() % KEY_RANGE);
    n = SPLAY_FIND(stree, &head, &key);
    ASSERT_PTR_EQ(n, owner[key.key]);
    if (n == NULL) {
      ASSERT_NULL(SPLAY_REMOVE(stree, &head, &key));
      continue;
    }
    ASSERT_PTR_EQ(SPLAY_REMOVE(stree, &head, n), n);
    owner[key.key] = NULL;
    free(n);
    size--;
  }
  splay_compare(&head, owner, size);

  /* Sorted insertions (the worst case for an unbalanced tree) then empty it. */
  for (i = 0; i < KEY_RANGE; i++) {
    if (owner[i] != NULL)
      continue;
    n = (struct snode*) calloc(1, sizeof(*n));
    ASSERT(n != NULL);
    n->key = i;
    ASSERT_NULL(SPLAY_INSERT(stree, &head, n));
    owner[i] = n;
    size++;
  }
  ASSERT_EQ(size, KEY_RANGE);
  splay_compare(&head, owner, size);
  while ((n = SPLAY_MIN(stree, &head)) != NULL) {
    ASSERT_PTR_EQ(SPLAY_REMOVE(stree, &head, n), n);
    owner[n->key] = NULL;
    free(n);
    size--;
  }
  ASSERT_EQ(size, 0);
  splay_compare(&head, owner, 0);
  SPLAY_INIT(&head);
  ASSERT(SPLAY_EMPTY(&head));
  free(owner);
}

static void test_splay_small_orders(void) {
  struct stree head;
  struct snode nodes[40], *n;
  int order[40], i, size, round;

  rng_seed(31337);
  for (size = 1; size <= 40; size++) {
    for (round = 0; round < 8; round++) {
      SPLAY_INIT(&head);
      for (i = 0; i < size; i++) {
        order[i] = i;
        memset(&nodes[i], 0, sizeof(nodes[i]));
        nodes[i].key = i;
      }
      if (round == 1)
        for (i = 0; i < size; i++)
          order[i] = size - 1 - i;
      else if (round > 1)
        shuffle(order, size);
      for (i = 0; i < size; i++) {
        ASSERT_NULL(SPLAY_INSERT(stree, &head, &nodes[order[i]]));
        ASSERT_EQ(splay_check_sub(SPLAY_ROOT(&head)), i + 1);
      }
      i = 0;
      SPLAY_FOREACH(n, stree, &head) {
        ASSERT_EQ(n->key, i++);
      }
      ASSERT_EQ(i, size);
      shuffle(order, size);
      for (i = 0; i < size; i++) {
        ASSERT_PTR_EQ(SPLAY_REMOVE(stree, &head, &nodes[order[i]]), &nodes[order[i]]);
        ASSERT_EQ(splay_check_sub(SPLAY_ROOT(&head)), size - 1 - i);
      }
      ASSERT(SPLAY_EMPTY(&head));
    }
  }
}

#endif /* SPLAY_HEAD */

static const struct test_entry tests[] = {
    TEST(rb_random),
    TEST(rb_small_orders),
    TEST(rb_two_trees),
    TEST_RSUV(rb_augment), /* libuv's header augments in fewer places */
#ifdef SPLAY_HEAD
    TEST(splay_random),
    TEST(splay_small_orders),
#endif
};

RSUV_TEST_MAIN(tests)
