/* rsuv: <uv/tree.h>, the intrusive splay-tree and red-black-tree macros of BSD's
 * sys/tree.h (see tree(3)), as libuv ships them (hand-written; nothing includes it).
 *
 * Written for rsuv from the documented semantics; the macro names, their parameters, the
 * generated function names (name##_RB_INSERT, ...) and the struct member names match
 * libuv 1.53's header, so code written against its <uv/tree.h> compiles unchanged. libuv
 * 1.49 dropped the SPLAY_* macros and the unused head argument of RB_NEXT / RB_PREV; the
 * splay macros are kept here (as libuv <= 1.48 and the BSDs have them) for older code,
 * RB_NEXT / RB_PREV take 1.49's two arguments.
 *
 * Use, in short:
 *
 *   struct node { RB_ENTRY(node) entry; int key; };
 *   static int node_cmp(struct node* a, struct node* b) {
 *     return a->key < b->key ? -1 : a->key > b->key;
 *   }
 *   RB_HEAD(node_tree, node);
 *   RB_GENERATE_STATIC(node_tree, node, entry, node_cmp)
 *
 *   struct node_tree head = RB_INITIALIZER(&head);
 *   RB_INSERT(node_tree, &head, n);    (NULL, or the element already there with n's key)
 *   RB_FOREACH(n, node_tree, &head) ...
 *
 * `cmp(a, b)` returns < 0, 0 or > 0 as a sorts before, with or after b. Elements are
 * linked in place (no allocation); an element may be in a tree once per entry field.
 *
 * Red-black trees: RB_INSERT returns NULL, or the element already in the tree with an
 * equal key (and then inserts nothing); RB_REMOVE unlinks an element of the tree and
 * returns it; RB_FIND finds the element with an equal key, RB_NFIND the least element
 * whose key is >= the given one; RB_NEXT / RB_PREV step in key order (NULL past either
 * end); RB_MIN / RB_MAX (NULL for an empty tree). The *_SAFE loops fetch the next
 * element before the body runs, so the body may remove (or free) the current one. Define
 * RB_AUGMENT(x) before including this header to have it called on every element whose
 * subtree changed (children first), for trees that keep per-subtree data.
 *
 * Splay trees: SPLAY_INSERT / SPLAY_REMOVE / SPLAY_FIND as above (SPLAY_REMOVE returns
 * NULL if no element has the key); SPLAY_NEXT(name, head, elm) takes the head too, since
 * each access reshapes the tree. SPLAY_PROTOTYPE must come before SPLAY_GENERATE (it
 * defines the static helpers that the lookups use).
 *
 * Plain C89 macros; the generated code compiles as C and as C++. */
#ifndef UV_TREE_H_
#define UV_TREE_H_

#include <stddef.h> /* NULL */

#ifndef UV__UNUSED
#if defined(__GNUC__)
#define UV__UNUSED __attribute__((unused))
#else
#define UV__UNUSED
#endif
#endif

/* The `attr` of RB_PROTOTYPE / RB_GENERATE: nothing (a named empty macro, as C89 has no
 * empty macro arguments). */
#define UV__TREE_EXTERN

/* ---------------------------------------------------------------------------------------
 * Splay trees (top-down splaying, Sleator & Tarjan).
 * ------------------------------------------------------------------------------------ */

#define SPLAY_HEAD(name, type)                                                           \
  struct name {                                                                          \
    struct type* sph_root; /* the tree's root, NULL when empty */                        \
  }

#define SPLAY_INITIALIZER(root) \
  { NULL }

#define SPLAY_INIT(root)       \
  do {                         \
    (root)->sph_root = NULL;   \
  } while (0)

#define SPLAY_ENTRY(type)                                                                \
  struct {                                                                               \
    struct type* spe_left;  /* subtree of smaller keys */                                \
    struct type* spe_right; /* subtree of greater keys */                                \
  }

#define SPLAY_LEFT(elm, field) (elm)->field.spe_left
#define SPLAY_RIGHT(elm, field) (elm)->field.spe_right
#define SPLAY_ROOT(head) (head)->sph_root
#define SPLAY_EMPTY(head) (SPLAY_ROOT(head) == NULL)

/* Single rotations at the root: `tmp`, the root's left (ROTATE_RIGHT) or right
 * (ROTATE_LEFT) child, becomes the root. */
#define SPLAY_ROTATE_RIGHT(head, tmp, field)                                             \
  do {                                                                                   \
    SPLAY_LEFT(SPLAY_ROOT(head), field) = SPLAY_RIGHT(tmp, field);                       \
    SPLAY_RIGHT(tmp, field) = SPLAY_ROOT(head);                                          \
    SPLAY_ROOT(head) = (tmp);                                                            \
  } while (0)

#define SPLAY_ROTATE_LEFT(head, tmp, field)                                              \
  do {                                                                                   \
    SPLAY_RIGHT(SPLAY_ROOT(head), field) = SPLAY_LEFT(tmp, field);                       \
    SPLAY_LEFT(tmp, field) = SPLAY_ROOT(head);                                           \
    SPLAY_ROOT(head) = (tmp);                                                            \
  } while (0)

/* Top-down splay steps. While splaying, the tree is split in three: the middle tree (at
 * the root), a "left" tree of elements known to be smaller and a "right" tree of elements
 * known to be greater. LINKLEFT moves the root into the right tree, hanging it as the
 * left child of `tmp` (the right tree's least element so far, which it becomes), and
 * descends to the root's left child; LINKRIGHT is the mirror image, `tmp` tracking the
 * left tree's greatest element. */
#define SPLAY_LINKLEFT(head, tmp, field)                                                 \
  do {                                                                                   \
    SPLAY_LEFT(tmp, field) = SPLAY_ROOT(head);                                           \
    (tmp) = SPLAY_ROOT(head);                                                            \
    SPLAY_ROOT(head) = SPLAY_LEFT(SPLAY_ROOT(head), field);                              \
  } while (0)

#define SPLAY_LINKRIGHT(head, tmp, field)                                                \
  do {                                                                                   \
    SPLAY_RIGHT(tmp, field) = SPLAY_ROOT(head);                                          \
    (tmp) = SPLAY_ROOT(head);                                                            \
    SPLAY_ROOT(head) = SPLAY_RIGHT(SPLAY_ROOT(head), field);                             \
  } while (0)

/* Joins the three trees back under the root. `node` is the splay's scratch element: its
 * right link holds the left tree and its left link the right tree; `left` and `right` are
 * the left tree's greatest and the right tree's least element (or `node` itself while a
 * tree is still empty). */
#define SPLAY_ASSEMBLE(head, node, left, right, field)                                   \
  do {                                                                                   \
    SPLAY_RIGHT(left, field) = SPLAY_LEFT(SPLAY_ROOT(head), field);                      \
    SPLAY_LEFT(right, field) = SPLAY_RIGHT(SPLAY_ROOT(head), field);                     \
    SPLAY_LEFT(SPLAY_ROOT(head), field) = SPLAY_RIGHT(node, field);                      \
    SPLAY_RIGHT(SPLAY_ROOT(head), field) = SPLAY_LEFT(node, field);                      \
  } while (0)

/* Declares the splay functions and defines the inline lookups built on them. */
#define SPLAY_PROTOTYPE(name, type, field, cmp)                                          \
  void name##_SPLAY(struct name*, struct type*);                                         \
  void name##_SPLAY_MINMAX(struct name*, int);                                           \
  struct type* name##_SPLAY_INSERT(struct name*, struct type*);                          \
  struct type* name##_SPLAY_REMOVE(struct name*, struct type*);                          \
                                                                                         \
  /* The element whose key equals elm's, or NULL. */                                     \
  UV__UNUSED static struct type* name##_SPLAY_FIND(struct name* sp_head,                 \
                                                   struct type* sp_elm) {                \
    if (SPLAY_EMPTY(sp_head))                                                            \
      return NULL;                                                                       \
    name##_SPLAY(sp_head, sp_elm);                                                       \
    if ((cmp)(sp_elm, SPLAY_ROOT(sp_head)) == 0)                                         \
      return SPLAY_ROOT(sp_head);                                                        \
    return NULL;                                                                         \
  }                                                                                      \
                                                                                         \
  /* The element after elm (which is in the tree), or NULL. */                           \
  UV__UNUSED static struct type* name##_SPLAY_NEXT(struct name* sp_head,                 \
                                                   struct type* sp_elm) {                \
    struct type* sp_next;                                                                \
    name##_SPLAY(sp_head, sp_elm);                                                       \
    sp_next = SPLAY_RIGHT(sp_elm, field);                                                \
    if (sp_next != NULL)                                                                 \
      while (SPLAY_LEFT(sp_next, field) != NULL)                                         \
        sp_next = SPLAY_LEFT(sp_next, field);                                            \
    return sp_next;                                                                      \
  }                                                                                      \
                                                                                         \
  /* The least (SPLAY_NEGINF) or greatest (SPLAY_INF) element of a non-empty tree. */    \
  UV__UNUSED static struct type* name##_SPLAY_MIN_MAX(struct name* sp_head,              \
                                                      int sp_which) {                    \
    name##_SPLAY_MINMAX(sp_head, sp_which);                                              \
    return SPLAY_ROOT(sp_head);                                                          \
  }

/* Defines the splay functions. */
#define SPLAY_GENERATE(name, type, field, cmp)                                           \
  /* NULL once inserted, or the element already there with elm's key. */                \
  struct type* name##_SPLAY_INSERT(struct name* sp_head, struct type* sp_elm) {          \
    struct type* sp_root;                                                                \
    int sp_c;                                                                            \
    if (SPLAY_EMPTY(sp_head)) {                                                          \
      SPLAY_LEFT(sp_elm, field) = NULL;                                                  \
      SPLAY_RIGHT(sp_elm, field) = NULL;                                                 \
      SPLAY_ROOT(sp_head) = sp_elm;                                                      \
      return NULL;                                                                       \
    }                                                                                    \
    name##_SPLAY(sp_head, sp_elm);                                                       \
    sp_root = SPLAY_ROOT(sp_head);                                                       \
    sp_c = (cmp)(sp_elm, sp_root);                                                       \
    if (sp_c == 0)                                                                       \
      return sp_root;                                                                    \
    if (sp_c < 0) {                                                                      \
      /* The root and its right subtree are greater than elm, its left one smaller. */   \
      SPLAY_LEFT(sp_elm, field) = SPLAY_LEFT(sp_root, field);                            \
      SPLAY_RIGHT(sp_elm, field) = sp_root;                                              \
      SPLAY_LEFT(sp_root, field) = NULL;                                                 \
    } else {                                                                             \
      SPLAY_RIGHT(sp_elm, field) = SPLAY_RIGHT(sp_root, field);                          \
      SPLAY_LEFT(sp_elm, field) = sp_root;                                               \
      SPLAY_RIGHT(sp_root, field) = NULL;                                                \
    }                                                                                    \
    SPLAY_ROOT(sp_head) = sp_elm;                                                        \
    return NULL;                                                                         \
  }                                                                                      \
                                                                                         \
  /* Unlinks the element with elm's key; elm, or NULL if there is none. */               \
  struct type* name##_SPLAY_REMOVE(struct name* sp_head, struct type* sp_elm) {          \
    struct type* sp_greater;                                                             \
    if (SPLAY_EMPTY(sp_head))                                                            \
      return NULL;                                                                       \
    name##_SPLAY(sp_head, sp_elm);                                                       \
    if ((cmp)(sp_elm, SPLAY_ROOT(sp_head)) != 0)                                         \
      return NULL;                                                                       \
    sp_greater = SPLAY_RIGHT(SPLAY_ROOT(sp_head), field);                                \
    if (SPLAY_LEFT(SPLAY_ROOT(sp_head), field) == NULL) {                                \
      SPLAY_ROOT(sp_head) = sp_greater;                                                  \
    } else {                                                                             \
      /* Splaying the smaller subtree for elm's key brings its greatest element up; it   \
       * has no right child, and takes the greater subtree there. */                     \
      SPLAY_ROOT(sp_head) = SPLAY_LEFT(SPLAY_ROOT(sp_head), field);                      \
      name##_SPLAY(sp_head, sp_elm);                                                     \
      SPLAY_RIGHT(SPLAY_ROOT(sp_head), field) = sp_greater;                              \
    }                                                                                    \
    return sp_elm;                                                                       \
  }                                                                                      \
                                                                                         \
  /* Brings the element with elm's key to the root, or else the last element met on the  \
   * way (elm's neighbour in key order). The tree must not be empty. */                  \
  void name##_SPLAY(struct name* sp_head, struct type* sp_elm) {                         \
    struct type sp_node, *sp_left, *sp_right, *sp_tmp;                                   \
    int sp_c;                                                                            \
    SPLAY_LEFT(&sp_node, field) = NULL;                                                  \
    SPLAY_RIGHT(&sp_node, field) = NULL;                                                 \
    sp_left = sp_right = &sp_node;                                                       \
    while ((sp_c = (cmp)(sp_elm, SPLAY_ROOT(sp_head))) != 0) {                           \
      if (sp_c < 0) {                                                                    \
        sp_tmp = SPLAY_LEFT(SPLAY_ROOT(sp_head), field);                                 \
        if (sp_tmp == NULL)                                                              \
          break;                                                                         \
        if ((cmp)(sp_elm, sp_tmp) < 0) { /* zig-zig: rotate first */                     \
          SPLAY_ROTATE_RIGHT(sp_head, sp_tmp, field);                                    \
          if (SPLAY_LEFT(SPLAY_ROOT(sp_head), field) == NULL)                            \
            break;                                                                       \
        }                                                                                \
        SPLAY_LINKLEFT(sp_head, sp_right, field);                                        \
      } else {                                                                           \
        sp_tmp = SPLAY_RIGHT(SPLAY_ROOT(sp_head), field);                                \
        if (sp_tmp == NULL)                                                              \
          break;                                                                         \
        if ((cmp)(sp_elm, sp_tmp) > 0) {                                                 \
          SPLAY_ROTATE_LEFT(sp_head, sp_tmp, field);                                     \
          if (SPLAY_RIGHT(SPLAY_ROOT(sp_head), field) == NULL)                           \
            break;                                                                       \
        }                                                                                \
        SPLAY_LINKRIGHT(sp_head, sp_left, field);                                        \
      }                                                                                  \
    }                                                                                    \
    SPLAY_ASSEMBLE(sp_head, &sp_node, sp_left, sp_right, field);                         \
  }                                                                                      \
                                                                                         \
  /* Brings the least (which < 0) or greatest (which > 0) element to the root. The tree  \
   * must not be empty. */                                                               \
  void name##_SPLAY_MINMAX(struct name* sp_head, int sp_which) {                         \
    struct type sp_node, *sp_left, *sp_right, *sp_tmp;                                   \
    SPLAY_LEFT(&sp_node, field) = NULL;                                                  \
    SPLAY_RIGHT(&sp_node, field) = NULL;                                                 \
    sp_left = sp_right = &sp_node;                                                       \
    for (;;) {                                                                           \
      if (sp_which < 0) {                                                                \
        sp_tmp = SPLAY_LEFT(SPLAY_ROOT(sp_head), field);                                 \
        if (sp_tmp == NULL)                                                              \
          break;                                                                         \
        SPLAY_ROTATE_RIGHT(sp_head, sp_tmp, field);                                      \
        if (SPLAY_LEFT(SPLAY_ROOT(sp_head), field) == NULL)                              \
          break;                                                                         \
        SPLAY_LINKLEFT(sp_head, sp_right, field);                                        \
      } else if (sp_which > 0) {                                                         \
        sp_tmp = SPLAY_RIGHT(SPLAY_ROOT(sp_head), field);                                \
        if (sp_tmp == NULL)                                                              \
          break;                                                                         \
        SPLAY_ROTATE_LEFT(sp_head, sp_tmp, field);                                       \
        if (SPLAY_RIGHT(SPLAY_ROOT(sp_head), field) == NULL)                             \
          break;                                                                         \
        SPLAY_LINKRIGHT(sp_head, sp_left, field);                                        \
      } else {                                                                           \
        break;                                                                           \
      }                                                                                  \
    }                                                                                    \
    SPLAY_ASSEMBLE(sp_head, &sp_node, sp_left, sp_right, field);                         \
  }

#define SPLAY_NEGINF (-1)
#define SPLAY_INF 1

#define SPLAY_INSERT(name, x, y) name##_SPLAY_INSERT(x, y)
#define SPLAY_REMOVE(name, x, y) name##_SPLAY_REMOVE(x, y)
#define SPLAY_FIND(name, x, y) name##_SPLAY_FIND(x, y)
#define SPLAY_NEXT(name, x, y) name##_SPLAY_NEXT(x, y)
#define SPLAY_MIN(name, x) (SPLAY_EMPTY(x) ? NULL : name##_SPLAY_MIN_MAX(x, SPLAY_NEGINF))
#define SPLAY_MAX(name, x) (SPLAY_EMPTY(x) ? NULL : name##_SPLAY_MIN_MAX(x, SPLAY_INF))

#define SPLAY_FOREACH(x, name, head) \
  for ((x) = SPLAY_MIN(name, head); (x) != NULL; (x) = SPLAY_NEXT(name, head, x))

/* ---------------------------------------------------------------------------------------
 * Red-black trees: every path from the root down to a missing child has the same number
 * of black elements, a red element's parent is black, the root is black; so the height
 * is at most 2 lg(n + 1).
 * ------------------------------------------------------------------------------------ */

#define RB_HEAD(name, type)                                                              \
  struct name {                                                                          \
    struct type* rbh_root; /* the tree's root, NULL when empty */                        \
  }

#define RB_INITIALIZER(root) \
  { NULL }

#define RB_INIT(root)          \
  do {                         \
    (root)->rbh_root = NULL;   \
  } while (0)

#define RB_BLACK 0
#define RB_RED 1

#define RB_ENTRY(type)                                                                   \
  struct {                                                                               \
    struct type* rbe_left;   /* subtree of smaller keys */                               \
    struct type* rbe_right;  /* subtree of greater keys */                               \
    struct type* rbe_parent; /* NULL for the root */                                     \
    int rbe_color;           /* RB_BLACK or RB_RED */                                    \
  }

#define RB_LEFT(elm, field) (elm)->field.rbe_left
#define RB_RIGHT(elm, field) (elm)->field.rbe_right
#define RB_PARENT(elm, field) (elm)->field.rbe_parent
#define RB_COLOR(elm, field) (elm)->field.rbe_color
#define RB_ROOT(head) (head)->rbh_root
#define RB_EMPTY(head) (RB_ROOT(head) == NULL)

/* Makes elm a new red leaf under parent (the caller links it into parent). */
#define RB_SET(elm, parent, field)                                                       \
  do {                                                                                   \
    RB_PARENT(elm, field) = (parent);                                                    \
    RB_LEFT(elm, field) = NULL;                                                          \
    RB_RIGHT(elm, field) = NULL;                                                         \
    RB_COLOR(elm, field) = RB_RED;                                                       \
  } while (0)

#define RB_SET_BLACKRED(black, red, field)                                               \
  do {                                                                                   \
    RB_COLOR(black, field) = RB_BLACK;                                                   \
    RB_COLOR(red, field) = RB_RED;                                                       \
  } while (0)

#ifndef RB_AUGMENT
#define RB_AUGMENT(x) \
  do {                \
  } while (0)
#endif

/* Rotations around elm: its right (ROTATE_LEFT) or left (ROTATE_RIGHT) child, left in
 * `tmp`, takes elm's place and elm becomes that child's left (right) child. */
#define RB_ROTATE_LEFT(head, elm, tmp, field)                                            \
  do {                                                                                   \
    (tmp) = RB_RIGHT(elm, field);                                                        \
    RB_RIGHT(elm, field) = RB_LEFT(tmp, field);                                          \
    if (RB_RIGHT(elm, field) != NULL)                                                    \
      RB_PARENT(RB_RIGHT(elm, field), field) = (elm);                                    \
    RB_PARENT(tmp, field) = RB_PARENT(elm, field);                                       \
    if (RB_PARENT(tmp, field) == NULL)                                                   \
      RB_ROOT(head) = (tmp);                                                             \
    else if (RB_LEFT(RB_PARENT(tmp, field), field) == (elm))                             \
      RB_LEFT(RB_PARENT(tmp, field), field) = (tmp);                                     \
    else                                                                                 \
      RB_RIGHT(RB_PARENT(tmp, field), field) = (tmp);                                    \
    RB_LEFT(tmp, field) = (elm);                                                         \
    RB_PARENT(elm, field) = (tmp);                                                       \
    RB_AUGMENT(elm);                                                                     \
    RB_AUGMENT(tmp);                                                                     \
  } while (0)

#define RB_ROTATE_RIGHT(head, elm, tmp, field)                                           \
  do {                                                                                   \
    (tmp) = RB_LEFT(elm, field);                                                         \
    RB_LEFT(elm, field) = RB_RIGHT(tmp, field);                                          \
    if (RB_LEFT(elm, field) != NULL)                                                     \
      RB_PARENT(RB_LEFT(elm, field), field) = (elm);                                     \
    RB_PARENT(tmp, field) = RB_PARENT(elm, field);                                       \
    if (RB_PARENT(tmp, field) == NULL)                                                   \
      RB_ROOT(head) = (tmp);                                                             \
    else if (RB_LEFT(RB_PARENT(tmp, field), field) == (elm))                             \
      RB_LEFT(RB_PARENT(tmp, field), field) = (tmp);                                     \
    else                                                                                 \
      RB_RIGHT(RB_PARENT(tmp, field), field) = (tmp);                                    \
    RB_RIGHT(tmp, field) = (elm);                                                        \
    RB_PARENT(elm, field) = (tmp);                                                       \
    RB_AUGMENT(elm);                                                                     \
    RB_AUGMENT(tmp);                                                                     \
  } while (0)

/* Declares the red-black functions: external (RB_PROTOTYPE), file-local
 * (RB_PROTOTYPE_STATIC), or with the given storage class and attributes
 * (RB_PROTOTYPE_INTERNAL); likewise RB_GENERATE*. */
#define RB_PROTOTYPE(name, type, field, cmp) \
  RB_PROTOTYPE_INTERNAL(name, type, field, cmp, UV__TREE_EXTERN)
#define RB_PROTOTYPE_STATIC(name, type, field, cmp) \
  RB_PROTOTYPE_INTERNAL(name, type, field, cmp, UV__UNUSED static)
#define RB_PROTOTYPE_INTERNAL(name, type, field, cmp, attr)                              \
  attr void name##_RB_INSERT_COLOR(struct name*, struct type*);                          \
  attr void name##_RB_REMOVE_COLOR(struct name*, struct type*, struct type*);            \
  attr struct type* name##_RB_REMOVE(struct name*, struct type*);                        \
  attr struct type* name##_RB_INSERT(struct name*, struct type*);                        \
  attr struct type* name##_RB_FIND(struct name*, struct type*);                          \
  attr struct type* name##_RB_NFIND(struct name*, struct type*);                         \
  attr struct type* name##_RB_NEXT(struct type*);                                        \
  attr struct type* name##_RB_PREV(struct type*);                                        \
  attr struct type* name##_RB_MINMAX(struct name*, int);

/* Defines them (each function only uses those defined before it, so no prototype is
 * needed first). */
#define RB_GENERATE(name, type, field, cmp) \
  RB_GENERATE_INTERNAL(name, type, field, cmp, UV__TREE_EXTERN)
#define RB_GENERATE_STATIC(name, type, field, cmp) \
  RB_GENERATE_INTERNAL(name, type, field, cmp, UV__UNUSED static)
#define RB_GENERATE_INTERNAL(name, type, field, cmp, attr)                               \
  /* Restores the invariants after elm, a red leaf, was linked in. */                    \
  attr void name##_RB_INSERT_COLOR(struct name* rb_head, struct type* rb_elm) {          \
    struct type *rb_parent, *rb_grand, *rb_uncle, *rb_tmp;                               \
    /* Invariant: only elm and its parent may both be red. */                            \
    while ((rb_parent = RB_PARENT(rb_elm, field)) != NULL &&                             \
           RB_COLOR(rb_parent, field) == RB_RED) {                                       \
      /* A red parent is not the root, so the grandparent exists (and is black). */      \
      rb_grand = RB_PARENT(rb_parent, field);                                            \
      if (rb_parent == RB_LEFT(rb_grand, field)) {                                       \
        rb_uncle = RB_RIGHT(rb_grand, field);                                            \
        if (rb_uncle != NULL && RB_COLOR(rb_uncle, field) == RB_RED) {                   \
          /* Push the grandparent's blackness down; retry two levels up. */              \
          RB_COLOR(rb_uncle, field) = RB_BLACK;                                          \
          RB_SET_BLACKRED(rb_parent, rb_grand, field);                                   \
          rb_elm = rb_grand;                                                             \
          continue;                                                                      \
        }                                                                                \
        if (rb_elm == RB_RIGHT(rb_parent, field)) {                                      \
          /* Inner grandchild: turn it into the outer case. */                           \
          RB_ROTATE_LEFT(rb_head, rb_parent, rb_tmp, field);                             \
          rb_tmp = rb_parent;                                                            \
          rb_parent = rb_elm;                                                            \
          rb_elm = rb_tmp;                                                               \
        }                                                                                \
        RB_SET_BLACKRED(rb_parent, rb_grand, field);                                     \
        RB_ROTATE_RIGHT(rb_head, rb_grand, rb_tmp, field);                               \
      } else {                                                                           \
        rb_uncle = RB_LEFT(rb_grand, field);                                             \
        if (rb_uncle != NULL && RB_COLOR(rb_uncle, field) == RB_RED) {                   \
          RB_COLOR(rb_uncle, field) = RB_BLACK;                                          \
          RB_SET_BLACKRED(rb_parent, rb_grand, field);                                   \
          rb_elm = rb_grand;                                                             \
          continue;                                                                      \
        }                                                                                \
        if (rb_elm == RB_LEFT(rb_parent, field)) {                                       \
          RB_ROTATE_RIGHT(rb_head, rb_parent, rb_tmp, field);                            \
          rb_tmp = rb_parent;                                                            \
          rb_parent = rb_elm;                                                            \
          rb_elm = rb_tmp;                                                               \
        }                                                                                \
        RB_SET_BLACKRED(rb_parent, rb_grand, field);                                     \
        RB_ROTATE_LEFT(rb_head, rb_grand, rb_tmp, field);                                \
      }                                                                                  \
    }                                                                                    \
    RB_COLOR(RB_ROOT(rb_head), field) = RB_BLACK;                                        \
  }                                                                                      \
                                                                                         \
  /* Restores the invariants after a black element was unlinked: elm (maybe NULL), now a \
   * child of parent (NULL if elm is the root), is one black short on its paths. */      \
  attr void name##_RB_REMOVE_COLOR(struct name* rb_head, struct type* rb_parent,         \
                                   struct type* rb_elm) {                                \
    struct type *rb_sib, *rb_tmp;                                                        \
    while ((rb_elm == NULL || RB_COLOR(rb_elm, field) == RB_BLACK) &&                    \
           rb_elm != RB_ROOT(rb_head)) {                                                 \
      /* elm's sibling exists: its side has at least one black more than elm's. */       \
      if (RB_LEFT(rb_parent, field) == rb_elm) {                                         \
        rb_sib = RB_RIGHT(rb_parent, field);                                             \
        if (RB_COLOR(rb_sib, field) == RB_RED) {                                         \
          /* Make the sibling black: rotate the red one above parent. */                 \
          RB_SET_BLACKRED(rb_sib, rb_parent, field);                                     \
          RB_ROTATE_LEFT(rb_head, rb_parent, rb_tmp, field);                             \
          rb_sib = RB_RIGHT(rb_parent, field);                                           \
        }                                                                                \
        if ((RB_LEFT(rb_sib, field) == NULL ||                                           \
             RB_COLOR(RB_LEFT(rb_sib, field), field) == RB_BLACK) &&                     \
            (RB_RIGHT(rb_sib, field) == NULL ||                                          \
             RB_COLOR(RB_RIGHT(rb_sib, field), field) == RB_BLACK)) {                    \
          /* Take one black off the sibling's side too; the parent is now short. */      \
          RB_COLOR(rb_sib, field) = RB_RED;                                              \
          rb_elm = rb_parent;                                                            \
          rb_parent = RB_PARENT(rb_elm, field);                                          \
          continue;                                                                      \
        }                                                                                \
        if (RB_RIGHT(rb_sib, field) == NULL ||                                           \
            RB_COLOR(RB_RIGHT(rb_sib, field), field) == RB_BLACK) {                      \
          /* Only the sibling's inner child is red: make it the outer case. */           \
          RB_SET_BLACKRED(RB_LEFT(rb_sib, field), rb_sib, field);                        \
          RB_ROTATE_RIGHT(rb_head, rb_sib, rb_tmp, field);                               \
          rb_sib = RB_RIGHT(rb_parent, field);                                           \
        }                                                                                \
        /* The sibling's outer child is red: one rotation at parent settles it. */       \
        RB_COLOR(rb_sib, field) = RB_COLOR(rb_parent, field);                            \
        RB_COLOR(rb_parent, field) = RB_BLACK;                                           \
        RB_COLOR(RB_RIGHT(rb_sib, field), field) = RB_BLACK;                             \
        RB_ROTATE_LEFT(rb_head, rb_parent, rb_tmp, field);                               \
        rb_elm = RB_ROOT(rb_head);                                                       \
        break;                                                                           \
      } else {                                                                           \
        rb_sib = RB_LEFT(rb_parent, field);                                              \
        if (RB_COLOR(rb_sib, field) == RB_RED) {                                         \
          RB_SET_BLACKRED(rb_sib, rb_parent, field);                                     \
          RB_ROTATE_RIGHT(rb_head, rb_parent, rb_tmp, field);                            \
          rb_sib = RB_LEFT(rb_parent, field);                                            \
        }                                                                                \
        if ((RB_LEFT(rb_sib, field) == NULL ||                                           \
             RB_COLOR(RB_LEFT(rb_sib, field), field) == RB_BLACK) &&                     \
            (RB_RIGHT(rb_sib, field) == NULL ||                                          \
             RB_COLOR(RB_RIGHT(rb_sib, field), field) == RB_BLACK)) {                    \
          RB_COLOR(rb_sib, field) = RB_RED;                                              \
          rb_elm = rb_parent;                                                            \
          rb_parent = RB_PARENT(rb_elm, field);                                          \
          continue;                                                                      \
        }                                                                                \
        if (RB_LEFT(rb_sib, field) == NULL ||                                            \
            RB_COLOR(RB_LEFT(rb_sib, field), field) == RB_BLACK) {                       \
          RB_SET_BLACKRED(RB_RIGHT(rb_sib, field), rb_sib, field);                       \
          RB_ROTATE_LEFT(rb_head, rb_sib, rb_tmp, field);                                \
          rb_sib = RB_LEFT(rb_parent, field);                                            \
        }                                                                                \
        RB_COLOR(rb_sib, field) = RB_COLOR(rb_parent, field);                            \
        RB_COLOR(rb_parent, field) = RB_BLACK;                                           \
        RB_COLOR(RB_LEFT(rb_sib, field), field) = RB_BLACK;                              \
        RB_ROTATE_RIGHT(rb_head, rb_parent, rb_tmp, field);                              \
        rb_elm = RB_ROOT(rb_head);                                                       \
        break;                                                                           \
      }                                                                                  \
    }                                                                                    \
    if (rb_elm != NULL)                                                                  \
      RB_COLOR(rb_elm, field) = RB_BLACK;                                                \
  }                                                                                      \
                                                                                         \
  /* Unlinks elm, an element of the tree, and returns it. */                             \
  attr struct type* name##_RB_REMOVE(struct name* rb_head, struct type* rb_elm) {        \
    struct type *rb_child, *rb_parent, *rb_next, *rb_up;                                 \
    int rb_color;                                                                        \
    if (RB_LEFT(rb_elm, field) != NULL && RB_RIGHT(rb_elm, field) != NULL) {             \
      /* Two children: elm's successor (the least of its right subtree, which has no     \
       * left child) leaves its own place and takes elm's, colour included. */           \
      rb_next = RB_RIGHT(rb_elm, field);                                                 \
      while (RB_LEFT(rb_next, field) != NULL)                                            \
        rb_next = RB_LEFT(rb_next, field);                                               \
      rb_child = RB_RIGHT(rb_next, field);                                               \
      rb_color = RB_COLOR(rb_next, field);                                               \
      if (RB_PARENT(rb_next, field) == rb_elm) {                                         \
        /* next is elm's right child: it keeps its right subtree. */                     \
        rb_parent = rb_next;                                                             \
      } else {                                                                           \
        rb_parent = RB_PARENT(rb_next, field);                                           \
        RB_LEFT(rb_parent, field) = rb_child;                                            \
        if (rb_child != NULL)                                                            \
          RB_PARENT(rb_child, field) = rb_parent;                                        \
        RB_RIGHT(rb_next, field) = RB_RIGHT(rb_elm, field);                              \
        RB_PARENT(RB_RIGHT(rb_next, field), field) = rb_next;                            \
      }                                                                                  \
      RB_LEFT(rb_next, field) = RB_LEFT(rb_elm, field);                                  \
      RB_PARENT(RB_LEFT(rb_next, field), field) = rb_next;                               \
      RB_COLOR(rb_next, field) = RB_COLOR(rb_elm, field);                                \
      rb_up = RB_PARENT(rb_elm, field);                                                  \
      RB_PARENT(rb_next, field) = rb_up;                                                 \
      if (rb_up == NULL)                                                                 \
        RB_ROOT(rb_head) = rb_next;                                                      \
      else if (RB_LEFT(rb_up, field) == rb_elm)                                          \
        RB_LEFT(rb_up, field) = rb_next;                                                 \
      else                                                                               \
        RB_RIGHT(rb_up, field) = rb_next;                                                \
    } else {                                                                             \
      /* At most one child: it takes elm's place. */                                     \
      rb_child = RB_LEFT(rb_elm, field) != NULL ? RB_LEFT(rb_elm, field)                 \
                                                : RB_RIGHT(rb_elm, field);               \
      rb_color = RB_COLOR(rb_elm, field);                                                \
      rb_parent = RB_PARENT(rb_elm, field);                                              \
      if (rb_child != NULL)                                                              \
        RB_PARENT(rb_child, field) = rb_parent;                                          \
      if (rb_parent == NULL)                                                             \
        RB_ROOT(rb_head) = rb_child;                                                     \
      else if (RB_LEFT(rb_parent, field) == rb_elm)                                      \
        RB_LEFT(rb_parent, field) = rb_child;                                            \
      else                                                                               \
        RB_RIGHT(rb_parent, field) = rb_child;                                           \
    }                                                                                    \
    /* Every subtree from the removal point up lost an element. */                       \
    for (rb_up = rb_parent; rb_up != NULL; rb_up = RB_PARENT(rb_up, field))              \
      RB_AUGMENT(rb_up);                                                                 \
    if (rb_color == RB_BLACK)                                                            \
      name##_RB_REMOVE_COLOR(rb_head, rb_parent, rb_child);                              \
    return rb_elm;                                                                       \
  }                                                                                      \
                                                                                         \
  /* Links elm in: NULL, or (linking nothing) the element already there with its key. */ \
  attr struct type* name##_RB_INSERT(struct name* rb_head, struct type* rb_elm) {        \
    struct type *rb_parent = NULL, *rb_at = RB_ROOT(rb_head);                            \
    int rb_c = 0;                                                                        \
    while (rb_at != NULL) {                                                              \
      rb_parent = rb_at;                                                                 \
      rb_c = (cmp)(rb_elm, rb_at);                                                       \
      if (rb_c < 0)                                                                      \
        rb_at = RB_LEFT(rb_at, field);                                                   \
      else if (rb_c > 0)                                                                 \
        rb_at = RB_RIGHT(rb_at, field);                                                  \
      else                                                                               \
        return rb_at;                                                                    \
    }                                                                                    \
    RB_SET(rb_elm, rb_parent, field);                                                    \
    if (rb_parent == NULL)                                                               \
      RB_ROOT(rb_head) = rb_elm;                                                         \
    else if (rb_c < 0)                                                                   \
      RB_LEFT(rb_parent, field) = rb_elm;                                                \
    else                                                                                 \
      RB_RIGHT(rb_parent, field) = rb_elm;                                               \
    for (rb_at = rb_elm; rb_at != NULL; rb_at = RB_PARENT(rb_at, field))                 \
      RB_AUGMENT(rb_at);                                                                 \
    name##_RB_INSERT_COLOR(rb_head, rb_elm);                                             \
    return NULL;                                                                         \
  }                                                                                      \
                                                                                         \
  /* The element whose key equals elm's, or NULL. */                                     \
  attr struct type* name##_RB_FIND(struct name* rb_head, struct type* rb_elm) {          \
    struct type* rb_at = RB_ROOT(rb_head);                                               \
    int rb_c;                                                                            \
    while (rb_at != NULL) {                                                              \
      rb_c = (cmp)(rb_elm, rb_at);                                                       \
      if (rb_c < 0)                                                                      \
        rb_at = RB_LEFT(rb_at, field);                                                   \
      else if (rb_c > 0)                                                                 \
        rb_at = RB_RIGHT(rb_at, field);                                                  \
      else                                                                               \
        return rb_at;                                                                    \
    }                                                                                    \
    return NULL;                                                                         \
  }                                                                                      \
                                                                                         \
  /* The least element whose key is >= elm's, or NULL. */                               \
  attr struct type* name##_RB_NFIND(struct name* rb_head, struct type* rb_elm) {         \
    struct type *rb_at = RB_ROOT(rb_head), *rb_best = NULL;                              \
    int rb_c;                                                                            \
    while (rb_at != NULL) {                                                              \
      rb_c = (cmp)(rb_elm, rb_at);                                                       \
      if (rb_c < 0) {                                                                    \
        rb_best = rb_at;                                                                 \
        rb_at = RB_LEFT(rb_at, field);                                                   \
      } else if (rb_c > 0) {                                                             \
        rb_at = RB_RIGHT(rb_at, field);                                                  \
      } else {                                                                           \
        return rb_at;                                                                    \
      }                                                                                  \
    }                                                                                    \
    return rb_best;                                                                      \
  }                                                                                      \
                                                                                         \
  /* The element after elm in key order, or NULL. */                                     \
  attr struct type* name##_RB_NEXT(struct type* rb_elm) {                                \
    struct type* rb_up;                                                                  \
    if (RB_RIGHT(rb_elm, field) != NULL) {                                               \
      rb_elm = RB_RIGHT(rb_elm, field);                                                  \
      while (RB_LEFT(rb_elm, field) != NULL)                                             \
        rb_elm = RB_LEFT(rb_elm, field);                                                 \
      return rb_elm;                                                                     \
    }                                                                                    \
    /* Climb while coming up from a right child. */                                      \
    rb_up = RB_PARENT(rb_elm, field);                                                    \
    while (rb_up != NULL && rb_elm == RB_RIGHT(rb_up, field)) {                          \
      rb_elm = rb_up;                                                                    \
      rb_up = RB_PARENT(rb_up, field);                                                   \
    }                                                                                    \
    return rb_up;                                                                        \
  }                                                                                      \
                                                                                         \
  /* The element before elm in key order, or NULL. */                                    \
  attr struct type* name##_RB_PREV(struct type* rb_elm) {                                \
    struct type* rb_up;                                                                  \
    if (RB_LEFT(rb_elm, field) != NULL) {                                                \
      rb_elm = RB_LEFT(rb_elm, field);                                                   \
      while (RB_RIGHT(rb_elm, field) != NULL)                                            \
        rb_elm = RB_RIGHT(rb_elm, field);                                                \
      return rb_elm;                                                                     \
    }                                                                                    \
    rb_up = RB_PARENT(rb_elm, field);                                                    \
    while (rb_up != NULL && rb_elm == RB_LEFT(rb_up, field)) {                           \
      rb_elm = rb_up;                                                                    \
      rb_up = RB_PARENT(rb_up, field);                                                   \
    }                                                                                    \
    return rb_up;                                                                        \
  }                                                                                      \
                                                                                         \
  /* The least (which < 0) or greatest (which >= 0) element, or NULL. */                 \
  attr struct type* name##_RB_MINMAX(struct name* rb_head, int rb_which) {               \
    struct type *rb_at = RB_ROOT(rb_head), *rb_last = NULL;                              \
    while (rb_at != NULL) {                                                              \
      rb_last = rb_at;                                                                   \
      rb_at = rb_which < 0 ? RB_LEFT(rb_at, field) : RB_RIGHT(rb_at, field);             \
    }                                                                                    \
    return rb_last;                                                                      \
  }

#define RB_NEGINF (-1)
#define RB_INF 1

#define RB_INSERT(name, x, y) name##_RB_INSERT(x, y)
#define RB_REMOVE(name, x, y) name##_RB_REMOVE(x, y)
#define RB_FIND(name, x, y) name##_RB_FIND(x, y)
#define RB_NFIND(name, x, y) name##_RB_NFIND(x, y)
#define RB_NEXT(name, x) name##_RB_NEXT(x)
#define RB_PREV(name, x) name##_RB_PREV(x)
#define RB_MIN(name, x) name##_RB_MINMAX(x, RB_NEGINF)
#define RB_MAX(name, x) name##_RB_MINMAX(x, RB_INF)

/* In-order walks. The _SAFE and _FROM forms read the next element into y before the body
 * runs (the body may unlink x); _FROM starts at the element y, not at an end. */
#define RB_FOREACH(x, name, head) \
  for ((x) = RB_MIN(name, head); (x) != NULL; (x) = name##_RB_NEXT(x))

#define RB_FOREACH_FROM(x, name, y) \
  for ((x) = (y); (x) != NULL && ((y) = name##_RB_NEXT(x), 1); (x) = (y))

#define RB_FOREACH_SAFE(x, name, head, y) \
  for ((x) = RB_MIN(name, head); (x) != NULL && ((y) = name##_RB_NEXT(x), 1); (x) = (y))

#define RB_FOREACH_REVERSE(x, name, head) \
  for ((x) = RB_MAX(name, head); (x) != NULL; (x) = name##_RB_PREV(x))

#define RB_FOREACH_REVERSE_FROM(x, name, y) \
  for ((x) = (y); (x) != NULL && ((y) = name##_RB_PREV(x), 1); (x) = (y))

#define RB_FOREACH_REVERSE_SAFE(x, name, head, y) \
  for ((x) = RB_MAX(name, head); (x) != NULL && ((y) = name##_RB_PREV(x), 1); (x) = (y))

#endif /* UV_TREE_H_ */
