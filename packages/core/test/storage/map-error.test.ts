import { describe, expect, it } from 'vitest'
import { mapStorageError } from '../../src/storage/map-error'

describe('IndexedDB failures as StorageError', () => {
  it('name the action and what IndexedDB said, never "undefined"', () => {
    expect(mapStorageError(new DOMException('the disk is gone', 'UnknownError'), 'put').message).toBe(
      '[autosync] [storage] put failed: UnknownError: the disk is gone',
    )
    expect(mapStorageError(undefined, 'get').message).toBe(
      '[autosync] [storage] get failed: IndexedDB gave no error to report',
    )
    expect(mapStorageError({ name: 'AbortError' }, 'pull').message).toBe('[autosync] [storage] pull failed: AbortError')
  })
})
