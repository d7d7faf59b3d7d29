/**
 * Invalidation by tag: every tag (within a tenant) has a version, bumped when a write invalidates it; an entry keeps
 * the versions of its tags from when it was stored and is stale as soon as one of them moved. Invalidating is thus
 * O(tags), whatever the number of entries that depend on them, and an entry built from others carries their tags too
 * (dependency invalidation comes for free). The versions are bounded: past `maxTags` they start over under a new
 * epoch, which every entry stored before it fails.
 */

/** Tag versions, by tag key (`tenant`, NUL, `tag`). */
export interface TagVersions {
  /** The epoch and the current version of each tag, to keep with an entry. */
  readonly snapshot: (tags: ReadonlyArray<string>) => ReadonlyArray<number>
  /** Whether no tag moved since `snapshot` (and the epoch is the same). */
  readonly unchanged: (tags: ReadonlyArray<string>, seen: ReadonlyArray<number>) => boolean
  readonly bump: (tags: ReadonlyArray<string>) => void
}

/** The key of `tag` within `tenant`. */
export const tagKey = (tenantId: string, tag: string): string => `${tenantId}\u0000${tag}`

/** Makes the versions (all 0 at first). */
export const make = (maxTags = 100_000): TagVersions => {
  let epoch = 0
  let versions = new Map<string, number>()
  const current = (tag: string) => versions.get(tag) ?? 0
  return {
    snapshot: (tags) => [epoch, ...tags.map(current)],
    unchanged: (tags, seen) => {
      if (seen[0] !== epoch) return false
      for (let i = 0; i < tags.length; i++) if (current(tags[i]!) !== seen[i + 1]) return false
      return true
    },
    bump: (tags) => {
      if (versions.size + tags.length > maxTags) {
        epoch++
        versions = new Map()
      }
      for (const tag of tags) versions.set(tag, current(tag) + 1)
    }
  }
}
