import { AutoSyncError } from '@autosync/core'

;(window as { ready?: string }).ready = `${typeof indexedDB}:${typeof AutoSyncError}`
