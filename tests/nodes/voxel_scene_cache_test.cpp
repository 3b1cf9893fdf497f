// The scene cache: the key changes with everything a scene depends on, the second run loads
// exactly the words the first built, and a cached scene whose header lies is built again.
#include "vixen/nodes/voxel_scene_cache.hpp"

#include <gtest/gtest.h>

#include "../cache/cache_test_support.hpp"
#include "vixen/cache/cache_file.hpp"

namespace vixen::nodes {
namespace {

TEST(VoxelSceneCacheTest, TheKeyNamesEverythingTheSceneDependsOn) {
    const VoxelSceneRequest base{"noise", 64, 1, voxel::Structure::BrickMap};
    const cache::CacheKey key = VoxelSceneCache::keyOf(base);
    EXPECT_EQ(VoxelSceneCache::keyOf(base), key);
    auto other = base;
    other.scene = "tunnels";
    EXPECT_NE(VoxelSceneCache::keyOf(other), key);
    other = base;
    other.side = 65;
    EXPECT_NE(VoxelSceneCache::keyOf(other), key);
    other = base;
    other.seed = 2;
    EXPECT_NE(VoxelSceneCache::keyOf(other), key);
    other = base;
    other.structure = voxel::Structure::Octree;
    EXPECT_NE(VoxelSceneCache::keyOf(other), key);
}

TEST(VoxelSceneCacheTest, TheSecondRunLoadsWhatTheFirstBuilt) {
    const cache::testing::ScratchDirectory root;
    for (const voxel::Structure structure :
         {voxel::Structure::BrickMap, voxel::Structure::Octree}) {
        const VoxelSceneRequest request{"cityscape", 72, 3, structure};
        BuiltVoxelScene built;
        {
            VoxelSceneCache first(root.path());
            auto scene = first.getOrBuild(request);
            ASSERT_TRUE(scene) << scene.error().message;
            EXPECT_FALSE(scene->loaded);
            ASSERT_TRUE(first.save());
            built = *scene;
        }
        VoxelSceneCache second(root.path());
        auto loaded = second.getOrBuild(request);
        ASSERT_TRUE(loaded);
        EXPECT_TRUE(loaded->loaded);
        EXPECT_EQ(*loaded->words, *built.words);
        EXPECT_EQ(loaded->size.x, 72);
        EXPECT_EQ(loaded->solidVoxels, built.solidVoxels);
        EXPECT_EQ(loaded->bricks, built.bricks);
        EXPECT_EQ(loaded->uniformBricks, built.uniformBricks);
        EXPECT_EQ(loaded->structure, structure);
        EXPECT_TRUE(second.persistent().problems().empty());
    }
}

TEST(VoxelSceneCacheTest, ACachedSceneThatDoesNotDecodeIsBuiltAgain) {
    const cache::testing::ScratchDirectory root;
    const VoxelSceneRequest request{"cornell", 32, 1, voxel::Structure::BrickMap};
    const cache::CacheIdentity host = cache::CacheIdentity::host(voxel::kBuildVersion);
    {
        // A well-formed cache file whose value is not a scene (a header that lies).
        cache::PersistentCache disk(
            {root.path() / host.directoryName(), "scenes", host, cache::CacheLayout::FilePerEntry});
        disk.insert(VoxelSceneCache::keyOf(request), std::vector<std::byte>(100, std::byte{7}), 1);
        ASSERT_TRUE(disk.save());
    }
    VoxelSceneCache scenes(root.path());
    auto scene = scenes.getOrBuild(request);
    ASSERT_TRUE(scene);
    EXPECT_FALSE(scene->loaded);
    ASSERT_EQ(scenes.persistent().problems().size(), 1U);
    EXPECT_NE(scenes.persistent().problems()[0].find("does not decode"), std::string::npos);
    ASSERT_TRUE(scenes.save());
    VoxelSceneCache again(root.path());
    auto loaded = again.getOrBuild(request);
    ASSERT_TRUE(loaded);
    EXPECT_TRUE(loaded->loaded);
    EXPECT_EQ(*loaded->words, *scene->words);
}

TEST(VoxelSceneCacheTest, AnUnknownSceneIsAnErrorAndNothingIsKept) {
    const cache::testing::ScratchDirectory root;
    VoxelSceneCache scenes(root.path());
    auto scene = scenes.getOrBuild({"sponza", 32, 1, voxel::Structure::BrickMap});
    ASSERT_FALSE(scene);
    EXPECT_NE(scene.error().message.find("sponza"), std::string::npos);
    ASSERT_TRUE(scenes.save());
    EXPECT_EQ(scenes.persistent().stats().entries, 0U);
}

}  // namespace
}  // namespace vixen::nodes
